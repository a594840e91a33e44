import CounterCore
import Foundation
import GRDB

/// The bulk load of a full resync into an empty cache (a new counter's first sync, or a ledger whose cache was
/// never filled): each page's tokens are appended to the unindexed `token_load` table, and the page that ends the
/// resync moves them into `token` in one insert sorted by id, in its transaction.
///
/// Applying each token to the indexed `token` table as it arrives costs random writes into two indexes per token and
/// page; for a million tokens that was most of the initial sync. The bulk load gives the same cache at the end: the
/// newest row of each token wins, a token deleted after it arrived is dropped, a reused code hash stays with the
/// newest token, and uses are counted against the page's watermark and this counter's later events as
/// ``Ledger/apply(_:at:)-(FeedPageUpdate,_)`` does. While it runs, the tokens of the resync are not yet in the
/// cache (as before the page that brings them), and revocations, campaigns and keys apply at once.
extension Ledger {
    /// Whether a full resync that starts now may bulk load: it spans several pages, and the cache holds no token and
    /// this counter no redemption yet, so no row of `token` has to be merged with the staged ones.
    static func canBulkLoad(_ page: FeedPageUpdate, _ db: Database) throws -> Bool {
        guard page.reset, !page.upToDate else { return false }
        return try Bool.fetchOne(db, sql: """
            SELECT NOT EXISTS (SELECT 1 FROM token) AND NOT EXISTS (SELECT 1 FROM redemption)
            """) ?? false
    }

    /// Appends a token of the page to the staged rows. An active token lifts an earlier revocation at once, as the
    /// direct upsert does.
    static func stage(_ entry: FeedPageUpdate.FeedToken, watermark: Int64, liftRevocation: Bool, generation: Int64,
                      _ db: Database) throws {
        let token = entry.token
        try db.cachedStatement(sql: """
            INSERT INTO token_load (id, code_hash, campaign_id, shop_scope, uses_total, uses_server, valid_from, valid_until,
                                    status, last_used_at, last_used_shop, last_used_device, generation, watermark)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                token.id.hex, token.codeHash.map { Data($0.bytes) }, token.campaignID, TokenRecord.encodeScope(token.shopScope),
                token.usesTotal, entry.usesUsed, token.validFrom, token.validUntil, token.status.rawValue,
                entry.lastUse?.at, entry.lastUse?.shopID, entry.lastUse?.deviceID, generation, watermark,
            ])
        if liftRevocation { try liftRevocationIfActive(token, db) }
    }

    /// A tombstone during the bulk load: the token's rows staged so far are dropped at the end (a later page may
    /// bring it back).
    static func stageTombstone(_ tokenID: TokenID, _ db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO token_load_tombstone (id, after_row) VALUES (?, (SELECT COALESCE(MAX(rowid), 0) FROM token_load))
            ON CONFLICT(id) DO UPDATE SET after_row = excluded.after_row
            """).execute(arguments: [tokenID.hex])
    }

    /// Forgets the staged rows (the end of the bulk load, or a new resync that sends everything again).
    static func clearBulkLoad(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM token_load; DELETE FROM token_load_tombstone")
    }

    /// Moves the staged tokens into `token`: the newest row of each token unless a later tombstone dropped it, a code
    /// hash kept by the newest token holding it, remaining uses from the server's count and this counter's events
    /// after the row's watermark, sorted by id so that the primary key's index grows at its end.
    static func finishBulkLoad(_ db: Database) throws {
        // Tokens a signed code brought in during the load give up a code hash a staged token now holds.
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM token)") == true {
            try db.execute(sql: """
                UPDATE token SET code_hash = NULL
                WHERE code_hash IN (SELECT code_hash FROM token_load WHERE code_hash IS NOT NULL)
                """)
        }
        try db.execute(sql: """
            INSERT INTO token (\(tokenColumns))
            SELECT id, CASE WHEN code_rank = 1 THEN code_hash END, campaign_id, shop_scope, uses_total, uses_server,
                   MIN(uses_total, MAX(0, uses_total - uses_server - local_uses)), valid_from, valid_until, status, 'cache',
                   last_used_at, last_used_shop, last_used_device, generation
            FROM (
                SELECT l.*,
                       ROW_NUMBER() OVER (PARTITION BY l.code_hash ORDER BY l.rowid DESC) AS code_rank,
                       (SELECT COALESCE(SUM(r.uses), 0) FROM redemption r WHERE r.token_id = l.id AND r.device_sequence > l.watermark)
                       - (SELECT COALESCE(SUM(r.uses), 0) FROM void v JOIN redemption r ON r.id = v.redemption_id
                          WHERE r.token_id = l.id AND v.device_sequence > l.watermark) AS local_uses
                FROM token_load l
                WHERE l.rowid IN (SELECT MAX(rowid) FROM token_load GROUP BY id)
                  AND NOT EXISTS (SELECT 1 FROM token_load_tombstone t WHERE t.id = l.id AND t.after_row >= l.rowid)
            )
            WHERE true
            ORDER BY id
            \(tokenUpsert)
            """)
        try clearBulkLoad(db)
    }
}
