import CounterCore
import Foundation
import GRDB

/// The result of asking to void a redemption.
public struct VoidOutcome: Hashable, Sendable {
    /// What happened.
    public enum Status: String, Sendable, Codable {
        case voided
        case notFound = "not_found"
        case windowClosed = "window_closed"
        case alreadyVoided = "already_voided"
        case otherDevice = "other_device"
        /// A cashier asked to void another member's redemption (issue 17): a manager may, or may approve it.
        case notYours = "not_yours"
    }

    /// Who may void what (issue 17). Without staff, only the window applies.
    public struct Authority: Sendable, Equatable {
        /// How long after the redemption it may be voided.
        public var window: TimeInterval
        /// Only a redemption this member made (a cashier's own); `nil`: anyone's.
        public var owner: String?
        /// Only a redemption of the same local day in this time zone (a manager's business day); `nil`: any day.
        public var businessDay: TimeZone?
        /// The member who voids, recorded with the void.
        public var staffID: String?
        /// The manager who approved the void (授权), recorded with it.
        public var approvedBy: String?

        public init(window: TimeInterval, owner: String? = nil, businessDay: TimeZone? = nil, staffID: String? = nil,
                    approvedBy: String? = nil) {
            self.window = window
            self.owner = owner
            self.businessDay = businessDay
            self.staffID = staffID
            self.approvedBy = approvedBy
        }
    }

    public var status: Status
    public var redemptionID: UUID
    public var voidID: UUID?
    public var deviceSequence: Int64?
    public var voidedAt: Date?
    public var usesRestored: Int
    public var usesLeft: Int?
    /// When the window closed or closes, for messages.
    public var windowEnd: Date?

    /// Whether the void was recorded.
    public var isVoided: Bool { status == .voided }

    /// The cashier's message in Chinese and English.
    public func message(in timeZone: TimeZone) -> LocalizedMessage {
        let time = ShopTimeFormatter(timeZone: timeZone)
        switch status {
        case .voided:
            return LocalizedMessage(zh: "已撤销核销，恢复 \(usesRestored) 次", en: "Voided; \(usesRestored) use(s) restored.")
        case .notFound:
            return LocalizedMessage(zh: "找不到这笔核销记录", en: "No such redemption on this counter.")
        case .windowClosed:
            let end = windowEnd.map(time.string) ?? ""
            return LocalizedMessage(zh: "已超过可撤销时间（截止 \(end)），请联系平台处理",
                                    en: "Too late to void (window closed at \(end)). Contact the platform.")
        case .alreadyVoided:
            return LocalizedMessage(zh: "这笔核销已撤销过", en: "This redemption was already voided.")
        case .otherDevice:
            return LocalizedMessage(zh: "只能在原核销设备上撤销", en: "Only the counter that redeemed it can void it.")
        case .notYours:
            return LocalizedMessage(zh: "只能撤销自己的核销，请店长授权", en: "You can void only your own redemptions. Ask a manager to approve.")
        }
    }
}

extension Ledger {
    /// Voids one of this device's redemptions inside the void window, restoring its uses.
    ///
    /// One transaction writes the void, the restored uses, the next device sequence number and the outbox entry.
    /// - Parameter staffID: the staff member who voids, recorded with the void; `nil` for nobody.
    public func void(redemptionID: UUID, reason: String = "cashier", source: String, staffID: String? = nil,
                     window: TimeInterval, at now: Date = Date()) async throws -> VoidOutcome {
        try await void(redemptionID: redemptionID, reason: reason, source: source,
                       authority: VoidOutcome.Authority(window: window, staffID: staffID), at: now)
    }

    /// Voids one of this device's redemptions as `authority` allows (its window, owner and business day).
    public func void(redemptionID: UUID, reason: String = "cashier", source: String, authority: VoidOutcome.Authority,
                     at now: Date = Date()) async throws -> VoidOutcome {
        let window = authority.window
        let key = redemptionID.lowercasedString
        return try await writer.write { db in
            var outcome = VoidOutcome(status: .notFound, redemptionID: redemptionID, usesRestored: 0)
            guard let redemption = try RedemptionRecord.fetchOne(db, key: key) else { return outcome }
            outcome.windowEnd = redemption.redeemedAt.addingTimeInterval(window)
            guard redemption.deviceId == self.identity.deviceID else {
                outcome.status = .otherDevice
                return outcome
            }
            if try VoidRecord.filter(Column("redemption_id") == key).fetchCount(db) > 0 {
                outcome.status = .alreadyVoided
                return outcome
            }
            // Both times are this clock's. A clock set back more than the tolerance below the redemption (so that an
            // old redemption would look fresh again) closes the window too.
            if let owner = authority.owner, redemption.staffId != owner {
                outcome.status = .notYours
                return outcome
            }
            guard now < redemption.redeemedAt.addingTimeInterval(window),
                  now >= redemption.redeemedAt.addingTimeInterval(-Self.clockTolerance) else {
                outcome.status = .windowClosed
                return outcome
            }
            if let zone = authority.businessDay {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = zone
                guard calendar.isDate(redemption.redeemedAt, inSameDayAs: now) else {
                    outcome.windowEnd = calendar.startOfDay(for: now)
                    outcome.status = .windowClosed
                    return outcome
                }
            }
            try db.execute(sql: "UPDATE token SET uses_remaining = min(uses_total, uses_remaining + ?) WHERE id = ?",
                           arguments: [redemption.uses, redemption.tokenId])
            let sequence = try self.nextSequence(db)
            let id = UUIDv7.make(now: now)
            try VoidRecord(id: id.lowercasedString, deviceSequence: sequence, redemptionId: key,
                           reason: reason, source: source, voidedAt: now, staffId: authority.staffID,
                           approvedBy: authority.approvedBy).insert(db)
            try db.execute(sql: "UPDATE void SET clock_suspect = ? WHERE id = ?",
                           arguments: [try self.isClockSuspect(at: now, db), id.lowercasedString])
            try self.enqueue(.void, itemID: id.lowercasedString, at: now, db)
            outcome.status = .voided
            outcome.voidID = id
            outcome.deviceSequence = sequence
            outcome.voidedAt = now
            outcome.usesRestored = redemption.uses
            outcome.usesLeft = try Int.fetchOne(db, sql: "SELECT uses_remaining FROM token WHERE id = ?",
                                                arguments: [redemption.tokenId])
            return outcome
        }
    }
}
