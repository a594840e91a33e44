import CounterCore
import Foundation
import GRDB

/// The verifier's view of the cache, read through one database connection (inside a transaction).
struct LedgerCatalog: TokenCatalog {
    let db: Database

    func token(withCodeHash hash: CodeHash) throws -> Token? {
        try TokenRecord.filter(TokenRecord.Columns.codeHash == Data(hash.bytes)).fetchOne(db)?.token
    }

    func token(withID id: TokenID) throws -> Token? {
        try TokenRecord.fetchOne(db, key: id.hex)?.token
    }

    func campaign(withID id: String) throws -> Campaign? {
        try CampaignRecord.fetchOne(db, key: id)?.campaign
    }

    func signingKey(withID id: UInt32) throws -> SigningKey? {
        try SigningKeyRecord.fetchOne(db, key: Int64(id))?.signingKey
    }

    func revocation(of tokenID: TokenID) throws -> Revocation? {
        try RevocationRecord.fetchOne(db, key: tokenID.hex)?.revocation
    }

    func lastUse(of tokenID: TokenID) throws -> PriorUse? {
        let own = try RedemptionRecord
            .filter(RedemptionRecord.Columns.tokenId == tokenID.hex)
            .order(RedemptionRecord.Columns.redeemedAt.desc)
            .fetchOne(db)
        let reported = try TokenRecord.fetchOne(db, key: tokenID.hex)
        let ownUse = own.map { PriorUse(at: $0.redeemedAt, shopID: $0.shopId, deviceID: $0.deviceId) }
        let reportedUse = reported?.lastUsedAt.map {
            PriorUse(at: $0, shopID: reported?.lastUsedShop, deviceID: reported?.lastUsedDevice)
        }
        return [ownUse, reportedUse].compactMap { $0 }.max { $0.at < $1.at }
    }
}
