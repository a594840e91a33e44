import CounterCore
import Foundation
import GRDB

/// Where the download stands: what `counterctl status` and the sync service need.
public struct SyncState: Sendable, Equatable {
    /// The cursor to send next; `nil` before the first page (a full sync).
    public var cursor: String?
    /// The highest feed position applied; a page with a lower one is refused.
    public var position: Int64
    /// Whether a full resync has started and not yet reached `up_to_date`.
    public var resyncInProgress: Bool
    public var keySetVersion: Int
    public var maxDataAge: TimeInterval?
    public var shopName: String?
    public var shopTimeZone: String?
    public var lastPageAt: Date?
    /// The last time a page with `up_to_date` was applied.
    public var lastCompleteSyncAt: Date?
    /// Server clock minus local clock, in seconds, at the last answer from the server.
    public var serverTimeOffset: TimeInterval?
    public var lastError: String?
    public var lastErrorAt: Date?

    public init(cursor: String?, position: Int64, resyncInProgress: Bool, keySetVersion: Int, maxDataAge: TimeInterval?,
                shopName: String?, shopTimeZone: String?, lastPageAt: Date?, lastCompleteSyncAt: Date?,
                serverTimeOffset: TimeInterval?, lastError: String?, lastErrorAt: Date?) {
        self.cursor = cursor
        self.position = position
        self.resyncInProgress = resyncInProgress
        self.keySetVersion = keySetVersion
        self.maxDataAge = maxDataAge
        self.shopName = shopName
        self.shopTimeZone = shopTimeZone
        self.lastPageAt = lastPageAt
        self.lastCompleteSyncAt = lastCompleteSyncAt
        self.serverTimeOffset = serverTimeOffset
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}

extension Ledger {
    /// Applies one feed page and its cursor in one transaction, or nothing
    /// (docs/protocol.md, "Applying a page").
    /// - Throws: ``FeedPageRejected`` when the page contradicts what is stored (position going
    ///   backwards, another shop, an older key set, a reset without key set, repeated tokens).
    public func apply(_ page: FeedPageUpdate, at now: Date = Date()) async throws {
        try Self.checkShape(page)
        let shopID = identity.shopID
        try await writer.write { db in
            let state = try Row.fetchOne(db, sql: "SELECT * FROM sync_state WHERE id = 1")!
            let storedPosition: Int64 = state["position"]
            guard page.position >= storedPosition else {
                throw FeedPageRejected("the feed position went backwards (\(page.position) < \(storedPosition)): "
                                       + "a stale or replayed page")
            }
            guard page.shop.id == shopID else {
                throw FeedPageRejected("the page is for shop \(page.shop.id), this counter belongs to \(shopID)")
            }
            var generation: Int64 = state["generation"]
            var resyncGeneration: Int64? = state["resync_generation"]
            var bulkLoad: Bool = state["bulk_load"]
            if page.reset {
                generation += 1
                resyncGeneration = generation
                // A new resync sends everything again: what an earlier one staged is dropped (Ledger+BulkLoad.swift).
                if bulkLoad { try Self.clearBulkLoad(db) }
                bulkLoad = try Self.canBulkLoad(page, db)
            }

            // 1. Key set.
            var keySetVersion: Int = state["key_set_version"]
            if let keySet = page.keySet {
                guard keySet.version >= keySetVersion else {
                    throw FeedPageRejected("the key set version went backwards (\(keySet.version) < \(keySetVersion))")
                }
                if keySet.version > keySetVersion {
                    try db.execute(sql: "DELETE FROM signing_key")
                    for key in keySet.signingKeys { try SigningKeyRecord(key).insert(db) }
                    keySetVersion = keySet.version
                }
            }
            // 2-3. Campaigns.
            for campaign in page.campaigns {
                try CampaignRecord(campaign).save(db)
                try db.execute(sql: "UPDATE campaign SET generation = ? WHERE id = ?", arguments: [generation, campaign.id])
            }
            // 3b. Staff, sent whole.
            if let staff = page.staff { try Self.saveStaff(staff, generation: generation, db) }
            // 4. Tokens, with local remaining uses from the server count and this device's later events.
            let lastSequence = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state") ?? 0
            let hasRevocations = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM revocation)") ?? false
            for entry in page.tokens {
                if bulkLoad {
                    try Self.stage(entry, watermark: page.watermark, liftRevocation: hasRevocations, generation: generation, db)
                } else {
                    try self.upsert(entry, watermark: page.watermark, hasLaterEvents: lastSequence > page.watermark,
                                    liftRevocation: hasRevocations, generation: generation, db)
                }
            }
            // 5. Revocations.
            for revocation in page.revocations {
                try db.execute(sql: """
                    INSERT INTO revocation (token_id, reason, revoked_at, generation) VALUES (?, ?, ?, ?)
                    ON CONFLICT(token_id) DO UPDATE SET reason = excluded.reason, revoked_at = excluded.revoked_at,
                        generation = excluded.generation
                    """, arguments: [revocation.tokenID.hex, revocation.reason, revocation.revokedAt, generation])
            }
            // 6. Tombstones. A token this counter has redeemed stays as a spent marker (no uses left, kept by
            // resync sweeps like a signed code's token): deleting it would let its signed code rebuild it from
            // the claims with all its uses at the next scan.
            for tokenID in page.tombstones {
                try db.execute(sql: """
                    UPDATE token SET uses_remaining = 0, origin = ?
                    WHERE id = ? AND EXISTS (SELECT 1 FROM redemption r WHERE r.token_id = token.id)
                    """, arguments: [Token.Origin.signedCode.rawValue, tokenID.hex])
                try db.execute(sql: """
                    DELETE FROM token
                    WHERE id = ? AND NOT EXISTS (SELECT 1 FROM redemption r WHERE r.token_id = token.id)
                    """, arguments: [tokenID.hex])
                try db.execute(sql: "DELETE FROM revocation WHERE token_id = ?", arguments: [tokenID.hex])
                if bulkLoad { try Self.stageTombstone(tokenID, db) }
            }
            // 8. The end of a full resync removes what the resync did not send again. Tokens this
            // counter learned from signed codes stay: their local uses must not be forgotten.
            if page.upToDate, let sweep = resyncGeneration {
                if bulkLoad {
                    try Self.finishBulkLoad(db)
                    bulkLoad = false
                }
                try db.execute(sql: "DELETE FROM token WHERE generation < ? AND origin = 'cache'", arguments: [sweep])
                try db.execute(sql: "DELETE FROM campaign WHERE generation < ?", arguments: [sweep])
                try db.execute(sql: "DELETE FROM revocation WHERE generation < ?", arguments: [sweep])
                try db.execute(sql: "DELETE FROM staff WHERE generation < ?", arguments: [sweep])
                resyncGeneration = nil
            }
            // 7. Cursor and state.
            try db.execute(sql: """
                UPDATE sync_state SET cursor = ?, position = ?, generation = ?, resync_generation = ?, bulk_load = ?, key_set_version = ?,
                    max_data_age_seconds = ?, shop_name = ?, shop_time_zone = ?, manager_void_window_seconds = ?, last_page_at = ?,
                    last_complete_sync_at = CASE WHEN ? THEN ? ELSE last_complete_sync_at END,
                    server_time_offset = ?, last_error = NULL, last_error_at = NULL
                WHERE id = 1
                """, arguments: [page.nextCursor, page.position, generation, resyncGeneration, bulkLoad, keySetVersion,
                                 Int(page.maxDataAge), page.shop.name, page.shop.timeZone, page.shop.managerVoidWindow.map { Int($0) },
                                 now, page.upToDate, now,
                                 page.serverTime.timeIntervalSince(now)])
            try db.execute(sql: "UPDATE device_state SET server_watermark = max(server_watermark, ?) WHERE id = 1",
                           arguments: [page.watermark])
            try self.setHighWater(toHubTime: page.serverTime, db)
        }
    }

    /// Checks what can be checked without the database.
    private static func checkShape(_ page: FeedPageUpdate) throws {
        // The numbers are the contract's (WireLimits): nothing below can overflow or trap on them.
        guard WireLimits.integers.contains(page.position), WireLimits.integers.contains(page.watermark),
              page.maxDataAge.isFinite,
              Double(WireLimits.maxDataAgeSeconds.lowerBound)...Double(WireLimits.maxDataAgeSeconds.upperBound) ~= page.maxDataAge else {
            throw FeedPageRejected("position, watermark or max_data_age_seconds is out of the contract's range")
        }
        if let entry = page.tokens.first(where: {
            !WireLimits.usesTotal.contains($0.token.usesTotal) || !WireLimits.integers.contains(Int64($0.usesUsed))
        }) {
            throw FeedPageRejected("token \(entry.token.id.hex) has uses out of the contract's range")
        }
        if page.reset, page.keySet == nil {
            throw FeedPageRejected("a page that starts a full resync must carry the key set")
        }
        var seen = Set<TokenID>()
        for entry in page.tokens where !seen.insert(entry.token.id).inserted {
            throw FeedPageRejected("token \(entry.token.id.hex) appears twice in one page")
        }
        var staffSeen = Set<String>()
        for member in page.staff ?? [] where !staffSeen.insert(member.id).inserted {
            throw FeedPageRejected("staff member \(member.id) appears twice in one page")
        }
        if let both = page.tombstones.first(where: seen.contains) {
            throw FeedPageRejected("token \(both.hex) is both upserted and deleted in one page")
        }
    }

    /// `active` is a feed token's whole state: it lifts an earlier revocation of it.
    static func liftRevocationIfActive(_ token: Token, _ db: Database) throws {
        guard token.status == .active else { return }
        try db.cachedStatement(sql: "DELETE FROM revocation WHERE token_id = ?").execute(arguments: [token.id.hex])
    }

    /// The cached token's columns a feed token writes, in the order of ``tokenUpsert``'s inserts.
    static let tokenColumns = """
        id, code_hash, campaign_id, shop_scope, uses_total, uses_server, uses_remaining, valid_from, valid_until, status, origin,
        last_used_at, last_used_shop, last_used_device, generation
        """

    /// A feed token replaces the whole cached row of its id (docs/protocol.md, "Applying a page").
    static let tokenUpsert = """
        ON CONFLICT(id) DO UPDATE SET code_hash = excluded.code_hash, campaign_id = excluded.campaign_id,
            shop_scope = excluded.shop_scope, uses_total = excluded.uses_total, uses_server = excluded.uses_server,
            uses_remaining = excluded.uses_remaining, valid_from = excluded.valid_from,
            valid_until = excluded.valid_until, status = excluded.status, origin = 'cache',
            last_used_at = excluded.last_used_at, last_used_shop = excluded.last_used_shop,
            last_used_device = excluded.last_used_device, generation = excluded.generation
        """

    private func upsert(_ entry: FeedPageUpdate.FeedToken, watermark: Int64, hasLaterEvents: Bool, liftRevocation: Bool,
                        generation: Int64, _ db: Database) throws {
        let token = entry.token
        var localUses = 0
        if hasLaterEvents {
            let redeemed = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COALESCE(SUM(uses), 0) FROM redemption WHERE token_id = ? AND device_sequence > ?
                """), arguments: [token.id.hex, watermark]) ?? 0
            let restored = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT COALESCE(SUM(r.uses), 0) FROM void v JOIN redemption r ON r.id = v.redemption_id
                WHERE r.token_id = ? AND v.device_sequence > ?
                """), arguments: [token.id.hex, watermark]) ?? 0
            localUses = redeemed - restored
        }
        let remaining = min(token.usesTotal, max(0, token.usesTotal - entry.usesUsed - localUses))
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO token (\(Self.tokenColumns))
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'cache', ?, ?, ?, ?)
            \(Self.tokenUpsert)
            """)
        let arguments: StatementArguments = [
            token.id.hex, token.codeHash.map { Data($0.bytes) }, token.campaignID, TokenRecord.encodeScope(token.shopScope),
            token.usesTotal, entry.usesUsed, remaining, token.validFrom, token.validUntil, token.status.rawValue,
            entry.lastUse?.at, entry.lastUse?.shopID, entry.lastUse?.deviceID, generation,
        ]
        if let hash = token.codeHash {
            // A code hash names one token: the newest holder keeps it (a code reused during a resync).
            try db.cachedStatement(sql: "UPDATE token SET code_hash = NULL WHERE code_hash = ? AND id != ?")
                .execute(arguments: [Data(hash.bytes), token.id.hex])
        }
        try upsert.execute(arguments: arguments)
        if liftRevocation { try Self.liftRevocationIfActive(token, db) }
    }

    /// The download's progress and health.
    public func syncState() async throws -> SyncState {
        try await writer.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT * FROM sync_state WHERE id = 1")!
            let maxAge: Int? = row["max_data_age_seconds"]
            return SyncState(cursor: row["cursor"], position: row["position"],
                             resyncInProgress: (row["resync_generation"] as Int64?) != nil,
                             keySetVersion: row["key_set_version"], maxDataAge: maxAge.map(TimeInterval.init),
                             shopName: row["shop_name"], shopTimeZone: row["shop_time_zone"],
                             lastPageAt: row["last_page_at"], lastCompleteSyncAt: row["last_complete_sync_at"],
                             serverTimeOffset: row["server_time_offset"], lastError: row["last_error"],
                             lastErrorAt: row["last_error_at"])
        }
    }

    /// Records why the last download failed (shown by `counterctl status`), keeping everything else.
    public func recordSyncError(_ message: String, at now: Date = Date()) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE sync_state SET last_error = ?, last_error_at = ? WHERE id = 1",
                           arguments: [message, now])
        }
    }
}
