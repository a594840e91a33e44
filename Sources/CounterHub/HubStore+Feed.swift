import CounterCore
import CounterSyncModels
import Foundation
import GRDB

extension HubStore {
    /// Builds the next feed page for a device (docs/protocol.md, `GET /v1/feed`), in one read transaction.
    public func feedPage(for device: HubDevice, cursor: String?, limit: Int, now: Date = Date()) throws -> FeedPage {
        try writer.read { db in
            guard let shop = try Row.fetchOne(db, sql: "SELECT * FROM shop WHERE id = ?", arguments: [device.shopID]) else {
                throw HubError("not_found", "the device's shop no longer exists")
            }
            let position = try Self.currentPosition(db)
            let epoch = try Self.currentEpoch(db)
            // The watermark and the use counts come from the same read, so they agree.
            let acknowledged = try Int64.fetchOne(db, sql: "SELECT acknowledged_sequence FROM device WHERE id = ?",
                                                  arguments: [device.id]) ?? 0
            // A missing, malformed, foreign or future cursor, or one of an earlier epoch, starts a full resync.
            let after = cursor.flatMap { FeedCursor.parse($0, epoch: epoch, shop: device.shopID) }.flatMap { $0 <= position ? $0 : nil }
            let reset = after == nil
            let from = after ?? 0
            // Each table is read in position order through its index and the two are merged here:
            // a UNION with ORDER BY would sort every remaining row for every page.
            let visible = "(shop_ids = '[]' OR EXISTS (SELECT 1 FROM json_each(shop_ids) WHERE value = ?2))"
            let campaignChanges = try Row.fetchAll(db, sql: """
                SELECT 'campaign' AS kind, id, position FROM campaign WHERE position > ?1 AND \(visible)
                ORDER BY position LIMIT ?3
                """, arguments: [from, device.shopID, limit])
            let tokenChanges = try Row.fetchAll(db, sql: """
                SELECT 'token' AS kind, id, position FROM token WHERE position > ?1 AND NOT (?4 AND deleted) AND \(visible)
                ORDER BY position LIMIT ?3
                """, arguments: [from, device.shopID, limit, reset])
            let changes = Array((campaignChanges + tokenChanges).sorted { ($0["position"] as Int64) < ($1["position"] as Int64) }
                .prefix(limit))
            let upToDate = changes.count < limit
            let reached: Int64 = upToDate ? position : changes.last!["position"]
            let campaignIDs = changes.filter { $0["kind"] == "campaign" }.map { $0["id"] as String }
            let tokenIDs = changes.filter { $0["kind"] == "token" }.map { $0["id"] as String }

            let campaigns = try campaignIDs.isEmpty ? [] : Row.fetchAll(
                db, sql: "SELECT * FROM campaign WHERE id IN (\(Self.placeholders(campaignIDs.count))) ORDER BY position",
                arguments: StatementArguments(campaignIDs)).map(Self.feedCampaign)
            var tokens: [FeedPage.Token] = []
            var tombstones: [String] = []
            var revocations: [FeedPage.Revocation] = []
            if !tokenIDs.isEmpty {
                let used = try Self.usesUsed(db, tokenIDs: tokenIDs, deviceID: device.id, acknowledged: acknowledged)
                let lastUses = try Self.lastUses(db, tokenIDs: tokenIDs)
                for row in try Row.fetchAll(db, sql: "SELECT * FROM token WHERE id IN (\(Self.placeholders(tokenIDs.count))) ORDER BY position",
                                            arguments: StatementArguments(tokenIDs)) {
                    let id: String = row["id"]
                    if row["deleted"] as Bool {
                        tombstones.append(id)
                        continue
                    }
                    let status: String = row["status"]
                    tokens.append(FeedPage.Token(tokenId: id, codeHash: row["code_hash"], campaignId: row["campaign_id"],
                                                 shopIds: Self.decodeShops(row["shop_ids"]), usesTotal: row["uses_total"],
                                                 usesUsed: max(0, used[id] ?? 0), validFrom: row["valid_from"],
                                                 validUntil: row["valid_until"], status: status, lastUse: lastUses[id]))
                    if status == "revoked" {
                        revocations.append(FeedPage.Revocation(tokenId: id, reason: row["revoked_reason"] ?? "revoked",
                                                               revokedAt: row["revoked_at"] ?? now))
                    }
                }
            }
            let keySetPosition = try Int64.fetchOne(db, sql: "SELECT key_set_position FROM hub_state") ?? 0
            let keySet = (reset || keySetPosition > from) ? try Self.latestKeySet(db).map {
                FeedPage.SignedKeySet(payload: $0.payload.base64EncodedString(), signature: $0.signature.base64EncodedString())
            } : nil
            return FeedPage(serverTime: now, cursor: cursor, nextCursor: FeedCursor.make(epoch: epoch, shop: device.shopID, position: reached),
                            position: position, upToDate: upToDate, reset: reset,
                            maxDataAgeSeconds: shop["max_data_age_seconds"], watermark: .init(deviceSequence: acknowledged),
                            shop: .init(id: shop["id"], name: shop["name"], timeZone: shop["time_zone"]),
                            campaigns: campaigns, tokens: tokens, tombstones: tombstones, revocations: revocations,
                            keySet: keySet)
        }
    }

    /// Uses counted per token: every device's redemptions minus voids, but this device's only up to
    /// its acknowledged sequence (the page's watermark).
    static func usesUsed(_ db: Database, tokenIDs: [String], deviceID: String, acknowledged: Int64) throws -> [String: Int] {
        var used: [String: Int] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT token_id, SUM(CASE type WHEN 'redemption' THEN uses ELSE -uses END) AS used FROM event
            WHERE token_id IN (\(placeholders(tokenIDs.count))) AND type IN ('redemption', 'void')
              AND status IN ('accepted', 'conflict') AND (device_id != ? OR device_sequence <= ?)
            GROUP BY token_id
            """, arguments: StatementArguments(tokenIDs + [deviceID]) + [acknowledged])
        for row in rows { used[row["token_id"]] = row["used"] }
        return used
    }

    static func lastUses(_ db: Database, tokenIDs: [String]) throws -> [String: FeedPage.LastUse] {
        var uses: [String: FeedPage.LastUse] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT e.token_id, e.occurred_at, d.shop_id, e.device_id FROM event e JOIN device d ON d.id = e.device_id
            WHERE e.token_id IN (\(placeholders(tokenIDs.count))) AND e.type = 'redemption' AND e.status IN ('accepted', 'conflict')
            ORDER BY e.occurred_at
            """, arguments: StatementArguments(tokenIDs)) {
            uses[row["token_id"]] = FeedPage.LastUse(at: row["occurred_at"], shopId: row["shop_id"], deviceId: row["device_id"])
        }
        return uses
    }

    static func feedCampaign(_ row: Row) -> FeedPage.Campaign {
        FeedPage.Campaign(id: row["id"], title: row["title"], product: row["product"], faceValueFen: row["face_value_fen"],
                          shopRewardFen: row["shop_reward_fen"], activeFrom: row["active_from"],
                          activeUntil: row["active_until"], offlinePolicy: row["offline_policy"], status: row["status"])
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}
