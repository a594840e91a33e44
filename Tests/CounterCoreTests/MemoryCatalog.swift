import CounterCore
import Crypto
import Foundation

/// An in-memory cache for verifier tests.
struct MemoryCatalog: TokenCatalog {
    var tokens: [Token] = []
    var campaigns: [Campaign] = []
    var keys: [SigningKey] = []
    var revocations: [Revocation] = []
    var uses: [TokenID: PriorUse] = [:]

    func token(withCodeHash hash: CodeHash) throws -> Token? { tokens.first { $0.codeHash == hash } }
    func token(withID id: TokenID) throws -> Token? { tokens.first { $0.id == id } }
    func campaign(withID id: String) throws -> Campaign? { campaigns.first { $0.id == id } }
    func signingKey(withID id: UInt32) throws -> SigningKey? { keys.first { $0.id == id } }
    func revocation(of tokenID: TokenID) throws -> Revocation? { revocations.first { $0.tokenID == tokenID } }
    func lastUse(of tokenID: TokenID) throws -> PriorUse? { uses[tokenID] }
}

/// A fixed world: one shop, one campaign, one key, helpers to make tokens and signed codes.
struct Fixture {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let shop = "SHOP-1"
    static let privateKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
    static let otherKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 9, count: 32))
    static let keyID: UInt32 = 42
    static let campaign = Campaign(id: "C1", title: "Coffee", product: "Americano", faceValue: Money(fen: 1800),
                                   shopReward: Money(fen: 200), offlinePolicy: .allowSigned)

    var catalog = MemoryCatalog(campaigns: [Fixture.campaign],
                                keys: [SigningKey(id: Fixture.keyID, publicKey: Array(Fixture.privateKey.publicKey.rawRepresentation))])

    static func token(_ code: String, uses: Int = 1, remaining: Int? = nil, scope: ShopScope = .anyShop,
                      from: Date? = nil, until: Date? = nil, campaign: String = "C1") -> Token {
        let canonical = try! CanonicalCode(code)
        return Token(id: TokenID(bytes: Array(SHA256.hash(data: Array(canonical.text.utf8)).prefix(16)))!,
                     codeHash: canonical.hash, campaignID: campaign, shopScope: scope, usesTotal: uses,
                     usesRemaining: remaining ?? uses, validFrom: from, validUntil: until)
    }

    static func claims(tokenID: TokenID = TokenID(bytes: [UInt8](repeating: 1, count: 16))!, keyID: UInt32 = Fixture.keyID,
                       campaign: String = "C1", scope: ShopScope = .anyShop, uses: Int = 1,
                       from: Date? = nil, until: Date? = nil) -> SignedCode.Claims {
        SignedCode.Claims(keyID: keyID, tokenID: tokenID, campaignID: campaign, shopScope: scope, uses: uses,
                          validFrom: from, validUntil: until)
    }

    static func signed(_ claims: SignedCode.Claims = Fixture.claims(), key: Curve25519.Signing.PrivateKey = Fixture.privateKey) -> String {
        try! SignedCode.issue(claims, signingKey: key)
    }

    func verify(_ code: String, uses: Int = 1, at now: Date = Fixture.now) throws -> Verdict {
        try Verifier(shopID: Fixture.shop).verify(code, uses: uses, at: now, in: catalog).verdict
    }
}
