import CounterCore
import CounterSyncModels
import Foundation
import GRDB

extension HubStore {
    /// Stores a batch of a device's events, in request order, in one transaction
    /// (docs/protocol.md, `POST /v1/events`). Each event gets its own result; one bad event never fails the batch.
    public func ingest(_ request: EventsRequest, from device: HubDevice, now: Date = Date()) throws -> EventsResponse {
        try writer.write { db in
            var results: [EventsResponse.Result] = []
            for event in request.events {
                results.append(try Self.ingest(event, from: device, now: now, db))
            }
            var acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledged_sequence FROM device WHERE id = ?",
                                                  arguments: [device.id]) ?? 0
            let next = try db.cachedStatement(sql: "SELECT 1 FROM event WHERE device_id = ? AND device_sequence = ?")
            while try Bool.fetchOne(next, arguments: [device.id, acknowledged + 1]) == true { acknowledged += 1 }
            try db.execute(sql: "UPDATE device SET acknowledged_sequence = ? WHERE id = ?", arguments: [acknowledged, device.id])
            try Self.noteUploadHealth(of: device, sentAt: request.sentAt, backlog: request.backlog, now: now, db)
            return EventsResponse(serverTime: now, results: results, acknowledgedSequence: acknowledged)
        }
    }

    private static func ingest(_ event: EventsRequest.Event, from device: HubDevice, now: Date,
                               _ db: Database) throws -> EventsResponse.Result {
        func result(_ status: String, _ reason: String? = nil) -> EventsResponse.Result {
            EventsResponse.Result(id: event.id, status: status, reason: reason)
        }
        guard UUID(uuidString: event.id) != nil else { return result("rejected", "invalid_event") }
        let body = String(decoding: try WireJSON.encoder().encode(event), as: UTF8.self)
        if let existing = try Row.fetchOne(db, sql: "SELECT device_id, body, status, reason FROM event WHERE id = ?",
                                           arguments: [event.id.lowercased()]) {
            // A resend (the answer was lost): the same content gets the same outcome; an accepted one is a duplicate.
            guard existing["device_id"] == device.id, Self.sameContent(stored: existing["body"], resent: body) else {
                return result("rejected", "id_reused")
            }
            let status: String = existing["status"]
            return status == "accepted" ? result("duplicate") : result(status, existing["reason"])
        }
        /// Whether this device already used a sequence number (then the event is kept without it).
        func sequenceTaken(_ sequence: Int64) throws -> Bool {
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE device_id = ? AND device_sequence = ?",
                             arguments: [device.id, sequence]) ?? 0 > 0
        }
        /// Keeps a refused event too, so its sequence counts as received and a resend gets the same answer.
        func refuse(_ reason: String) throws -> EventsResponse.Result {
            let sequence = try event.deviceSequence.flatMap { try sequenceTaken($0) ? nil : $0 }
            try store("rejected", reason, sequence: sequence, token: nil, redemption: nil, uses: 0)
            return result("rejected", reason)
        }
        func store(_ status: String, _ reason: String?, sequence: Int64?, token: String?, redemption: String?, uses: Int) throws {
            try db.execute(sql: """
                INSERT INTO event (id, device_id, type, device_sequence, token_id, redemption_id, uses, status, reason,
                                   occurred_at, received_at, body)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [event.id.lowercased(), device.id, event.type, sequence, token, redemption, uses, status,
                                 reason, event.occurredAt, now, body])
        }
        switch event.type {
        case "redemption":
            guard let sequence = event.deviceSequence, sequence >= 1, let tokenID = event.tokenId, TokenID(hex: tokenID) != nil,
                  let uses = event.uses, (1...65_535).contains(uses) else {
                return try refuse("invalid_event")
            }
            guard event.shopId == device.shopID else { return try refuse("shop_mismatch") }
            guard let token = try Row.fetchOne(db, sql: "SELECT * FROM token WHERE id = ?", arguments: [tokenID]) else {
                return try refuse("unknown_token")
            }
            var storedSequence: Int64? = sequence
            var reason: String?
            if try sequenceTaken(sequence) {
                storedSequence = nil
                reason = "sequence_reused"
            }
            reason = try reason ?? conflictReason(token: token, uses: uses, at: event.occurredAt, shop: device.shopID, db)
            try store(reason == nil ? "accepted" : "conflict", reason, sequence: storedSequence, token: tokenID,
                      redemption: nil, uses: uses)
            if let storedSequence { try Self.checkClock(of: device, sequence: storedSequence, occurredAt: event.occurredAt, now: now, db) }
            // Other counters need the new count.
            try db.execute(sql: "UPDATE token SET position = ? WHERE id = ?", arguments: [try nextPosition(db), tokenID])
            return result(reason == nil ? "accepted" : "conflict", reason)
        case "void":
            guard let sequence = event.deviceSequence, sequence >= 1, let redemptionID = event.redemptionId?.lowercased() else {
                return try refuse("invalid_event")
            }
            guard let redemption = try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ? AND type = 'redemption'",
                                                    arguments: [redemptionID]) else {
                return try refuse("unknown_redemption")
            }
            guard redemption["device_id"] == device.id else { return try refuse("wrong_device") }
            guard try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE type = 'void' AND redemption_id = ? AND status = 'accepted'",
                                   arguments: [redemptionID]) == 0 else {
                return try refuse("already_voided")
            }
            if try sequenceTaken(sequence) {
                try store("conflict", "sequence_reused", sequence: nil, token: nil, redemption: redemptionID, uses: 0)
                return result("conflict", "sequence_reused")
            }
            let tokenID: String? = redemption["token_id"]
            try store("accepted", nil, sequence: sequence, token: tokenID, redemption: redemptionID, uses: redemption["uses"])
            try Self.checkClock(of: device, sequence: sequence, occurredAt: event.occurredAt, now: now, db)
            if let tokenID {
                try db.execute(sql: "UPDATE token SET position = ? WHERE id = ?", arguments: [try nextPosition(db), tokenID])
            }
            return result("accepted")
        case "rejection":
            guard event.reason != nil else { return try refuse("invalid_event") }
            try store("accepted", nil, sequence: nil, token: event.tokenId, redemption: nil, uses: 0)
            return result("accepted")
        default:
            return try refuse("invalid_event")
        }
    }

    /// Why an offline redemption is recorded as a conflict, or `nil` when it is in order.
    private static func conflictReason(token: Row, uses: Int, at occurredAt: Date, shop: String, _ db: Database) throws -> String? {
        if token["status"] == "revoked", let revokedAt = token["revoked_at"] as Date?, revokedAt <= occurredAt {
            return "revoked"
        }
        if let from = token["valid_from"] as Date?, occurredAt < from { return "not_yet_valid" }
        if let until = token["valid_until"] as Date?, occurredAt >= until { return "expired" }
        let shops = decodeShops(token["shop_ids"])
        if !shops.isEmpty, !shops.contains(shop) { return "wrong_shop" }
        if let campaign = try Row.fetchOne(db, sql: "SELECT * FROM campaign WHERE id = ?", arguments: [token["campaign_id"] as String]) {
            let active = campaign["status"] == "active"
                && (campaign["active_from"] as Date?).map { occurredAt >= $0 } ?? true
                && (campaign["active_until"] as Date?).map { occurredAt < $0 } ?? true
            if !active { return "campaign_inactive" }
        }
        let used = try Int.fetchOne(db, sql: """
            SELECT COALESCE(SUM(CASE type WHEN 'redemption' THEN uses ELSE -uses END), 0) FROM event
            WHERE token_id = ? AND type IN ('redemption', 'void') AND status IN ('accepted', 'conflict')
            """, arguments: [token["id"] as String]) ?? 0
        return used + uses > (token["uses_total"] as Int) ? "over_redeemed" : nil
    }

    /// Everything received, newest first, for `counter-hub redemptions`.
    public func receivedEvents() throws -> [ReceivedEvent] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY received_at, rowid").map { row in
                ReceivedEvent(id: row["id"], type: row["type"], deviceId: row["device_id"], deviceSequence: row["device_sequence"],
                              tokenId: row["token_id"], redemptionId: row["redemption_id"], uses: row["uses"],
                              status: row["status"], reason: row["reason"], occurredAt: row["occurred_at"],
                              receivedAt: row["received_at"])
            }
        }
    }

    /// How far back a device's event time may go while its sequence goes up before the device is flagged.
    static let clockStepBack: TimeInterval = 600

    /// Flags the device when this event's time goes back by more than ``clockStepBack`` against an event of a lower
    /// sequence, or forward against one of a higher sequence (events may arrive out of order): the counter's clock
    /// was set back, and its offline verdicts need a look (`counter-hub devices`).
    static func checkClock(of device: HubDevice, sequence: Int64, occurredAt: Date, now: Date, _ db: Database) throws {
        let earlier = try Date.fetchOne(db, sql: """
            SELECT occurred_at FROM event WHERE device_id = ? AND device_sequence < ? ORDER BY device_sequence DESC LIMIT 1
            """, arguments: [device.id, sequence])
        let later = try Date.fetchOne(db, sql: """
            SELECT occurred_at FROM event WHERE device_id = ? AND device_sequence > ? ORDER BY device_sequence LIMIT 1
            """, arguments: [device.id, sequence])
        let back = max(earlier.map { $0.timeIntervalSince(occurredAt) } ?? 0, later.map { occurredAt.timeIntervalSince($0) } ?? 0)
        guard back > clockStepBack else { return }
        try db.execute(sql: """
            UPDATE device SET clock_went_back_at = ?, clock_went_back_seconds = max(COALESCE(clock_went_back_seconds, 0), ?)
            WHERE id = ?
            """, arguments: [now, back, device.id])
    }

    /// Whether a resent event carries the same content as the stored one: every field present in both has the
    /// same value. An optional field only one of them has does not count, so a counter that learned to send one
    /// in an upgrade, resending an event whose answer was lost, gets `duplicate`, not `id_reused`.
    static func sameContent(stored: String, resent: String) -> Bool {
        if stored == resent { return true }
        let decoder = WireJSON.decoder()
        guard let old = try? decoder.decode(EventsRequest.Event.self, from: Data(stored.utf8)),
              let new = try? decoder.decode(EventsRequest.Event.self, from: Data(resent.utf8)) else { return false }
        func same<Value: Equatable>(_ path: KeyPath<EventsRequest.Event, Value?>) -> Bool {
            old[keyPath: path] == nil || new[keyPath: path] == nil || old[keyPath: path] == new[keyPath: path]
        }
        return old.type == new.type && old.id.lowercased() == new.id.lowercased() && old.occurredAt == new.occurredAt
            && old.clockSuspect == new.clockSuspect
            && same(\.deviceSequence) && same(\.tokenId) && same(\.campaignId) && same(\.shopId) && same(\.uses)
            && same(\.via) && same(\.codeLast4) && same(\.source) && same(\.redemptionId) && same(\.reason)
            && same(\.codeHash) && same(\.detail)
    }
}

/// One event as counter-hub stored it.
public struct ReceivedEvent: Codable, Sendable, Equatable {
    public var id: String
    public var type: String
    public var deviceId: String
    public var deviceSequence: Int64?
    public var tokenId: String?
    public var redemptionId: String?
    public var uses: Int
    public var status: String
    public var reason: String?
    public var occurredAt: Date
    public var receivedAt: Date
}
