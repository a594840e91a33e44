import CounterCore
@testable import CounterLedger
import CounterTestSupport
import Crypto
import Foundation
import GRDB

/// A ledger in a fresh temporary directory (a real SQLite file, WAL, synchronous=FULL).
struct LedgerFixture {
    static let identity = DeviceIdentity(deviceID: "till-1", shopID: "SHOP-1")
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 3, count: 32))
    static let coffee = Campaign(id: "COFFEE", title: "Coffee", product: "Americano", faceValue: Money(fen: 1800),
                                 shopReward: Money(fen: 200), offlinePolicy: .allowSigned)

    let directory: String
    let ledger: Ledger

    /// - Parameter cachedTokens: start with three tokens in the cache (`false`: the campaign and the key only, as a
    ///   new counter before its first sync).
    init(identity: DeviceIdentity = LedgerFixture.identity, cachedTokens: Bool = true) async throws {
        directory = try TemporaryDirectory("counterd-ledger").path
        ledger = try Ledger(path: directory + "/ledger.sqlite", identity: identity)
        try await ledger.apply(CacheUpdate(
            campaigns: [Self.coffee],
            tokens: cachedTokens ? [Self.token("SINGLE-0001"), Self.token("SINGLE-0002"), Self.token("CARD-0010", uses: 10)] : [],
            signingKeys: [SigningKey(id: 1, publicKey: Array(Self.key.publicKey.rawRepresentation))]))
    }

    static func token(_ code: String, uses: Int = 1) -> Token {
        let canonical = try! CanonicalCode(code)
        return Token(id: tokenID(code), codeHash: canonical.hash, campaignID: "COFFEE", shopScope: .anyShop,
                     usesTotal: uses, usesRemaining: uses, validFrom: nil, validUntil: nil)
    }

    static func tokenID(_ code: String) -> TokenID {
        TokenID(bytes: Array(SHA256.hash(data: Array(try! CanonicalCode(code).text.utf8)).prefix(16)))!
    }

    static func signedCode(token: UInt8 = 0x77, uses: Int = 1) -> String {
        try! SignedCode.issue(SignedCode.Claims(keyID: 1, tokenID: TokenID(bytes: [UInt8](repeating: token, count: 16))!,
                                                campaignID: "COFFEE", shopScope: .anyShop, uses: uses,
                                                validFrom: nil, validUntil: nil), signingKey: key)
    }

    func rows(_ sql: String) throws -> [Row] {
        try ledger.writer.read { try Row.fetchAll($0, sql: sql) }
    }

    func count(_ sql: String) async throws -> Int {
        try await ledger.writer.read { (db: Database) -> Int in try Int.fetchOne(db, sql: sql) ?? -1 }
    }
}
