import CounterCore
import CounterSyncModels
import Foundation

extension HubStore {
    /// Builds the next feed page for a device (docs/protocol.md, `GET /v1/feed`), in one read transaction.
    public func feedPage(for device: HubDevice, cursor: String?, limit: Int, now: Date = Date()) throws -> FeedPage {
        try feedRead(for: device, cursor: cursor, limit: limit, now: now).page
    }

    /// ``feedPage(for:cursor:limit:now:)``, also saying whether the device's last sync is due to be written down
    /// (``noteFeedRead(by:now:)``): read in the same transaction, so most feed requests cost no write at all.
    func feedRead(for device: HubDevice, cursor: String?, limit: Int, now: Date = Date()) throws -> (page: FeedPage, recordDue: Bool) {
        try database.read { sql in
            guard let shop = try sql.row("SELECT * FROM shop WHERE id = ?", [device.shopID]) else {
                throw HubError("not_found", "the device's shop no longer exists")
            }
            let position = try Self.currentPosition(sql)
            let epoch = try Self.currentEpoch(sql)
            // The watermark and the use counts come from the same read, so they agree.
            let deviceRow = try sql.row("SELECT acknowledged_sequence, last_feed_at FROM device WHERE id = ?", [device.id])
            let acknowledged: Int64 = try deviceRow?["acknowledged_sequence"] ?? 0
            let lastFeedAt: Date? = try deviceRow?["last_feed_at"]
            let recordDue = lastFeedAt.map { $0 <= now.addingTimeInterval(-Self.feedReadRecordInterval) } ?? true
            // A missing, malformed, foreign or future cursor, or one of an earlier epoch, starts a full resync.
            let after = cursor.flatMap { FeedCursor.parse($0, epoch: epoch, shop: device.shopID) }.flatMap { $0 <= position ? $0 : nil }
            let reset = after == nil
            let from = after ?? 0
            // Tokens a signature speaks for are not sent (TokenFeed.exceptions): the feed's indexes hold only the rest.
            // Each table is read in position order through its index and the two are merged here:
            // a UNION with ORDER BY would sort every remaining row for every page.
            let visible = sql.dialect.shopVisible("?2")
            let campaignChanges = try sql.rows("""
                SELECT id, position FROM campaign WHERE position > ?1 AND \(visible)
                ORDER BY position LIMIT ?3
                """, [from, device.shopID, limit]).map { (kind: "campaign", id: try $0["id"] as String, position: try $0["position"] as Int64) }
            // A shop's tokens, the any-shop ones and those of several shops, each through the index token_shop_feed:
            // other shops' changes since the cursor are never read.
            var tokenChanges: [(kind: String, id: String, position: Int64)] = []
            for (match, arguments) in [("shop_key = ?", [device.shopID] as [any SQLBindable]), ("shop_key = '*'", []),
                                       ("shop_key IS NULL AND " + sql.dialect.shopVisible("?"), [device.shopID])] {
                tokenChanges += try sql.rows("""
                    SELECT id, position FROM token WHERE \(match) AND position > ? AND in_feed AND NOT (? AND deleted)
                    ORDER BY position LIMIT ?
                    """, arguments + [from, reset, limit]).map { (kind: "token", id: try $0["id"] as String, position: try $0["position"] as Int64) }
            }
            // The shop's staff (HubStore+Staff.swift), through the index staff_shop_position.
            let staffChanges = try sql.rows(
                "SELECT id, position FROM staff WHERE shop_id = ? AND position > ? ORDER BY position LIMIT ?", [device.shopID, from, limit]
            ).map { (kind: "staff", id: try $0["id"] as String, position: try $0["position"] as Int64) }
            let changes = Array((campaignChanges + tokenChanges + staffChanges).sorted { $0.position < $1.position }.prefix(limit))
            let upToDate = changes.count < limit
            let reached: Int64 = upToDate ? position : changes.last!.position
            let campaignIDs = changes.filter { $0.kind == "campaign" }.map(\.id)
            let tokenIDs = changes.filter { $0.kind == "token" }.map(\.id)
            let staffIDs = changes.filter { $0.kind == "staff" }.map(\.id)

            let campaigns = try campaignIDs.isEmpty ? [] : sql.rows(
                "SELECT * FROM campaign WHERE id IN (\(Self.placeholders(campaignIDs.count))) ORDER BY position", campaignIDs
            ).map(Self.feedCampaign)
            var tokens: [FeedPage.Token] = []
            var tombstones: [String] = []
            var revocations: [FeedPage.Revocation] = []
            if !tokenIDs.isEmpty {
                let used = try Self.usesUsed(sql, tokenIDs: tokenIDs, deviceID: device.id, acknowledged: acknowledged)
                let lastUses = try Self.lastUses(sql, tokenIDs: tokenIDs)
                for row in try sql.rows("SELECT * FROM token WHERE id IN (\(Self.placeholders(tokenIDs.count))) ORDER BY position", tokenIDs) {
                    let id: String = try row["id"]
                    if try row["deleted"] as Bool {
                        tombstones.append(id)
                        continue
                    }
                    let status: String = try row["status"]
                    tokens.append(FeedPage.Token(tokenId: id, codeHash: try row["code_hash"], campaignId: try row["campaign_id"],
                                                 shopIds: Self.decodeShops(try row["shop_ids"]), usesTotal: try row["uses_total"],
                                                 usesUsed: max(0, used[id] ?? 0), validFrom: try row["valid_from"],
                                                 validUntil: try row["valid_until"], status: status, lastUse: lastUses[id]))
                    if status == "revoked" {
                        revocations.append(FeedPage.Revocation(tokenId: id, reason: try row["revoked_reason"] ?? "revoked",
                                                               revokedAt: try row["revoked_at"] ?? now))
                    }
                }
            }
            let staff = try staffIDs.isEmpty ? [] : sql.rows(
                "SELECT * FROM staff WHERE id IN (\(Self.placeholders(staffIDs.count))) ORDER BY position", staffIDs
            ).map(Self.feedStaffMember)
            let keySetPosition = try sql.value(Int64.self, "SELECT key_set_position FROM hub_state") ?? 0
            let keySet = (reset || keySetPosition > from) ? try Self.latestKeySet(sql).map {
                FeedPage.SignedKeySet(payload: $0.payload.base64EncodedString(), signature: $0.signature.base64EncodedString())
            } : nil
            let page = FeedPage(serverTime: now, cursor: cursor, nextCursor: FeedCursor.make(epoch: epoch, shop: device.shopID, position: reached),
                            position: position, upToDate: upToDate, reset: reset,
                            maxDataAgeSeconds: try shop["max_data_age_seconds"], watermark: .init(deviceSequence: acknowledged),
                            shop: .init(id: try shop["id"], name: try shop["name"], timeZone: try shop["time_zone"],
                                        settings: .init(managerVoidWindowSeconds: try shop["manager_void_window_seconds"])),
                            campaigns: campaigns, tokens: tokens, tombstones: tombstones, revocations: revocations,
                            keySet: keySet, staff: staff)
            return (page, recordDue)
        }
    }

    /// Uses counted per token: every device's redemptions minus voids, but this device's only up to
    /// its acknowledged sequence (the page's watermark).
    static func usesUsed(_ sql: any HubSQL, tokenIDs: [String], deviceID: String, acknowledged: Int64) throws -> [String: Int] {
        var used: [String: Int] = [:]
        let rows = try sql.rows("""
            SELECT token_id, SUM(CASE type WHEN 'redemption' THEN uses ELSE -uses END) AS used FROM event
            WHERE token_id IN (\(placeholders(tokenIDs.count))) AND type IN ('redemption', 'void')
              AND status IN ('accepted', 'conflict') AND (device_id != ? OR device_sequence <= ?)
            GROUP BY token_id
            """, tokenIDs.map { $0 as any SQLBindable } + [deviceID, acknowledged])
        for row in rows { used[try row["token_id"]] = try row["used"] }
        return used
    }

    static func lastUses(_ sql: any HubSQL, tokenIDs: [String]) throws -> [String: FeedPage.LastUse] {
        var uses: [String: FeedPage.LastUse] = [:]
        for row in try sql.rows("""
            SELECT e.token_id, e.occurred_at, d.shop_id, e.device_id FROM event e JOIN device d ON d.id = e.device_id
            WHERE e.token_id IN (\(placeholders(tokenIDs.count))) AND e.type = 'redemption' AND e.status IN ('accepted', 'conflict')
            ORDER BY e.occurred_at
            """, tokenIDs) {
            uses[try row["token_id"]] = FeedPage.LastUse(at: try row["occurred_at"], shopId: try row["shop_id"], deviceId: try row["device_id"])
        }
        return uses
    }

    static func feedCampaign(_ row: HubRow) throws -> FeedPage.Campaign {
        FeedPage.Campaign(id: try row["id"], title: try row["title"], product: try row["product"],
                          faceValueFen: try row["face_value_fen"], shopRewardFen: try row["shop_reward_fen"],
                          activeFrom: try row["active_from"], activeUntil: try row["active_until"],
                          offlinePolicy: try row["offline_policy"], status: try row["status"], training: try row["training"])
    }

    static func feedStaffMember(_ row: HubRow) throws -> FeedPage.StaffMember {
        let verifier = try (row["pin_verifier"] as String?).map { try WireJSON.decoder().decode(PINVerifier.self, from: Data($0.utf8)) }
        return FeedPage.StaffMember(staffId: try row["id"], name: try row["name"], role: try row["role"], enabled: try row["enabled"],
                                    pinVerifier: verifier, badgeId: try row["badge_id"])
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ",")
    }
}
