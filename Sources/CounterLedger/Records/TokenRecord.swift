import CounterCore
import Foundation
import GRDB

/// A row of `token`: the synced cache, keyed by token id and by the SHA-256 of the code.
struct TokenRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "token"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    enum Columns {
        static let id = Column("id")
        static let codeHash = Column("code_hash")
        static let usesRemaining = Column("uses_remaining")
    }

    var id: String
    var codeHash: Data?
    var campaignId: String
    var shopScope: String
    var usesTotal: Int
    var usesServer: Int
    var usesRemaining: Int
    var validFrom: Date?
    var validUntil: Date?
    var status: String
    var origin: String
    var lastUsedAt: Date?
    var lastUsedShop: String?
    var lastUsedDevice: String?

    /// Decodes a row by column name (faster than the Codable path on the redeem hot path).
    init(row: Row) throws {
        id = row["id"]
        codeHash = row["code_hash"]
        campaignId = row["campaign_id"]
        shopScope = row["shop_scope"]
        usesTotal = row["uses_total"]
        usesServer = row["uses_server"]
        usesRemaining = row["uses_remaining"]
        validFrom = row["valid_from"]
        validUntil = row["valid_until"]
        status = row["status"]
        origin = row["origin"]
        lastUsedAt = row["last_used_at"]
        lastUsedShop = row["last_used_shop"]
        lastUsedDevice = row["last_used_device"]
    }

    init(_ token: Token, usesServer: Int = 0) {
        id = token.id.hex
        codeHash = token.codeHash.map { Data($0.bytes) }
        campaignId = token.campaignID
        shopScope = Self.encodeScope(token.shopScope)
        usesTotal = token.usesTotal
        self.usesServer = usesServer
        usesRemaining = token.usesRemaining
        validFrom = token.validFrom
        validUntil = token.validUntil
        status = token.status.rawValue
        origin = token.origin.rawValue
    }

    var token: Token? {
        // An unreadable id or scope must never widen access: such a row is treated as absent.
        guard let tokenID = TokenID(hex: id), let scope = Self.decodeScope(shopScope) else { return nil }
        return Token(id: tokenID, codeHash: codeHash.flatMap { CodeHash(bytes: Array($0)) }, campaignID: campaignId,
                     shopScope: scope, usesTotal: usesTotal, usesRemaining: usesRemaining,
                     validFrom: validFrom, validUntil: validUntil, status: Token.Status(rawValue: status) ?? .revoked,
                     origin: Token.Origin(rawValue: origin) ?? .cache)
    }

    /// Shop ids as a JSON array; `[]` means any shop.
    static func encodeScope(_ scope: ShopScope) -> String {
        let data = (try? JSONEncoder().encode(scope.shopIDs)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func decodeScope(_ text: String) -> ShopScope? {
        if text == "[]" { return .anyShop }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let ids = object as? [String] else {
            return nil
        }
        return ShopScope(shopIDs: ids)
    }
}
