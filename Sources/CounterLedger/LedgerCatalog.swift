import CounterCore
import Foundation
import GRDB

/// The verifier's view of the cache, read through one database connection (inside a transaction).
/// Every query is a cached prepared statement: this runs once per scan.
struct LedgerCatalog: TokenCatalog {
    let db: Database

    func token(withCodeHash hash: CodeHash) throws -> Token? {
        try TokenRecord.fetchOne(db, SQLRequest(sql: "SELECT * FROM token WHERE code_hash = ?",
                                                arguments: [Data(hash.bytes)], cached: true))?.token
    }

    func token(withID id: TokenID) throws -> Token? {
        try TokenRecord.fetchOne(db, SQLRequest(sql: "SELECT * FROM token WHERE id = ?", arguments: [id.hex], cached: true))?
            .token
    }

    func campaign(withID id: String) throws -> Campaign? {
        try CampaignRecord.fetchOne(db, SQLRequest(sql: "SELECT * FROM campaign WHERE id = ?", arguments: [id], cached: true))?
            .campaign
    }

    func signingKey(withID id: UInt32) throws -> SigningKey? {
        try SigningKeyRecord.fetchOne(db, SQLRequest(sql: "SELECT * FROM signing_key WHERE id = ?", arguments: [Int64(id)],
                                                     cached: true))?.signingKey
    }

    func revocation(of tokenID: TokenID) throws -> Revocation? {
        try RevocationRecord.fetchOne(db, SQLRequest(sql: "SELECT * FROM revocation WHERE token_id = ?",
                                                     arguments: [tokenID.hex], cached: true))?.revocation
    }

    func lastUse(of tokenID: TokenID) throws -> PriorUse? {
        let own = try Row.fetchOne(db, SQLRequest(
            sql: "SELECT redeemed_at, shop_id, device_id FROM redemption WHERE token_id = ? ORDER BY redeemed_at DESC LIMIT 1",
            arguments: [tokenID.hex], cached: true))
            .map { PriorUse(at: $0["redeemed_at"], shopID: $0["shop_id"], deviceID: $0["device_id"]) }
        let reported = try Row.fetchOne(db, SQLRequest(
            sql: "SELECT last_used_at, last_used_shop, last_used_device FROM token WHERE id = ? AND last_used_at IS NOT NULL",
            arguments: [tokenID.hex], cached: true))
            .map { PriorUse(at: $0["last_used_at"], shopID: $0["last_used_shop"], deviceID: $0["last_used_device"]) }
        return [own, reported].compactMap { $0 }.max { $0.at < $1.at }
    }
}
