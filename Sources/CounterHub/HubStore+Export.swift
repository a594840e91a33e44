import CounterCore
import Foundation

/// `GET /v1/admin/events`: one page of the commission engine's export (docs/protocol.md, "Export").
public struct ExportPage: Codable, Sendable, Equatable {
    public var serverTime: Date
    public var events: [ExportedEvent]
    /// The cursor after the last event of the page (or the request's, when the page is empty).
    public var nextCursor: String
    /// No event committed so far lies beyond `next_cursor`.
    public var upToDate: Bool
}

/// One accepted or conflicting redemption, or one accepted void, as the commission engine receives it.
public struct ExportedEvent: Codable, Sendable, Equatable {
    /// The cursor that resumes the export just after this event.
    public var cursor: String
    public var id: String
    /// `redemption` or `void`.
    public var type: String
    /// `accepted`, or `conflict` for a redemption the hub recorded against the rules (over-redeemed, revoked, …):
    /// it happened at the counter and is reported, and the engine decides what it pays for it.
    public var status: String
    public var reason: String?
    public var shopId: String
    public var deviceId: String
    public var deviceSequence: Int64?
    public var tokenId: String?
    public var campaignId: String?
    /// The redemption a void cancels.
    public var redemptionId: String?
    public var uses: Int
    public var faceValueFen: Int?
    /// The shop's reward per use, from the campaign.
    public var shopRewardFen: Int?
    public var occurredAt: Date
    public var receivedAt: Date
    /// A practice campaign's event (练习, issue 17): it happened in training mode and is owed nothing. Present (true)
    /// only for those (additive).
    public var training: Bool?
}

extension HubStore {
    /// The export after `cursor` (`nil`: from the start), in commit order, at most `limit` events.
    ///
    /// Every exported event takes its position from the position row inside its transaction, so positions become
    /// visible in commit order: a consumer that resumes from the cursor of the last event it processed sees every
    /// event exactly once, whatever commits meanwhile. Throws ``HubError`` `invalid_cursor` for a cursor that is
    /// not one of ours (an export must never silently restart from the beginning, or skip).
    public func exportEvents(after cursor: String?, limit: Int, now: Date = Date()) throws -> ExportPage {
        let after: Int64
        if let cursor {
            guard let position = ExportCursor.parse(cursor) else {
                throw HubError("invalid_cursor", "the cursor is not one this hub handed out")
            }
            after = position
        } else {
            after = 0
        }
        return try database.read { sql in
            let rows = try sql.rows("""
                SELECT e.*, d.shop_id, t.campaign_id, c.face_value_fen, c.shop_reward_fen, c.training
                FROM event e
                JOIN device d ON d.id = e.device_id
                LEFT JOIN token t ON t.id = e.token_id
                LEFT JOIN campaign c ON c.id = t.campaign_id
                WHERE e.position > ? ORDER BY e.position LIMIT ?
                """, [after, limit])
            let events = try rows.map { row in
                ExportedEvent(cursor: ExportCursor.make(try row["position"]), id: try row["id"], type: try row["type"],
                              status: try row["status"], reason: try row["reason"], shopId: try row["shop_id"],
                              deviceId: try row["device_id"], deviceSequence: try row["device_sequence"],
                              tokenId: try row["token_id"], campaignId: try row["campaign_id"],
                              redemptionId: try row["redemption_id"], uses: try row["uses"],
                              faceValueFen: try row["face_value_fen"], shopRewardFen: try row["shop_reward_fen"],
                              occurredAt: try row["occurred_at"], receivedAt: try row["received_at"],
                              training: try (row["training"] as Bool?) == true ? true : nil)
            }
            return ExportPage(serverTime: now, events: events, nextCursor: events.last?.cursor ?? ExportCursor.make(after),
                              upToDate: events.count < limit)
        }
    }
}

/// The export's cursor: base64 of `x1:<position>`.
enum ExportCursor {
    static func make(_ position: Int64) -> String {
        Data("x1:\(position)".utf8).base64EncodedString()
    }

    static func parse(_ cursor: String) -> Int64? {
        guard cursor.utf8.count <= 64, let data = Data(base64Encoded: cursor) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard text.hasPrefix("x1:"), let position = Int64(text.dropFirst(3)), WireLimits.integers.contains(position) else {
            return nil
        }
        return position
    }
}
