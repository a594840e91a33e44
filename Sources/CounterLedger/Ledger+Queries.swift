import CounterCore
import Foundation
import GRDB

/// One line of redemption history.
public struct RedemptionSummary: Hashable, Sendable {
    public var id: UUID
    public var deviceSequence: Int64
    public var redeemedAt: Date
    public var tokenID: String
    public var campaignID: String
    public var campaignTitle: String?
    public var uses: Int
    public var codeLastFour: String
    public var source: String
    public var voidedAt: Date?
    /// The outbox state: `pending`, `delivered` or `dead`.
    public var uploadState: String?
    /// Who redeemed, and their name when the counter still knows them; `nil` for nobody.
    public var staffID: String?
    public var staffName: String?
}

/// Counts that describe the ledger for `status`.
public struct LedgerStatus: Hashable, Sendable {
    public var identity: DeviceIdentity
    public var lastSequence: Int64
    public var redemptions: Int
    public var voids: Int
    public var rejections: Int
    public var outboxPending: Int
    public var outboxDead: Int
    public var tokens: Int
    public var campaigns: Int
    public var signingKeys: Int
}

extension Ledger {
    /// The most recent redemptions first, with their void and upload state.
    public func history(limit: Int) async throws -> [RedemptionSummary] {
        try await writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.id, r.device_sequence, r.redeemed_at, r.token_id, r.campaign_id, c.title, r.uses,
                       r.code_last4, r.source, v.voided_at, o.state, r.staff_id, s.name
                FROM redemption r
                LEFT JOIN staff s ON s.id = r.staff_id
                LEFT JOIN campaign c ON c.id = r.campaign_id
                LEFT JOIN void v ON v.redemption_id = r.id
                LEFT JOIN outbox o ON o.item_id = r.id
                ORDER BY r.device_sequence DESC
                LIMIT ?
                """, arguments: [max(0, limit)])
            return rows.compactMap { row in
                guard let id = UUID(uuidString: row[0]) else { return nil }
                return RedemptionSummary(id: id, deviceSequence: row[1], redeemedAt: row[2], tokenID: row[3],
                                         campaignID: row[4], campaignTitle: row[5], uses: row[6], codeLastFour: row[7],
                                         source: row[8], voidedAt: row[9], uploadState: row[10], staffID: row[11],
                                         staffName: row[12])
            }
        }
    }

    /// Events waiting for upload (through the outbox state index: cheap enough for every watchdog tick).
    public func pendingUploadCount() async throws -> Int {
        try await writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") ?? 0 }
    }

    /// Counts for the status command.
    public func status() async throws -> LedgerStatus {
        try await writer.read { db in
            func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql) ?? 0 }
            return LedgerStatus(
                identity: self.identity,
                lastSequence: try Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state") ?? 0,
                redemptions: try count("SELECT COUNT(*) FROM redemption"),
                voids: try count("SELECT COUNT(*) FROM void"),
                rejections: try count("SELECT COUNT(*) FROM rejection"),
                outboxPending: try count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'"),
                outboxDead: try count("SELECT COUNT(*) FROM outbox WHERE state = 'dead'"),
                tokens: try count("SELECT COUNT(*) FROM token"),
                campaigns: try count("SELECT COUNT(*) FROM campaign"),
                signingKeys: try count("SELECT COUNT(*) FROM signing_key"))
        }
    }
}
