import CounterCore
import CounterLedger
import Crypto
import Foundation

/// Demo campaigns, codes and a signing key, so a newcomer can type a code and see every kind of verdict.
///
/// The demo signing key is derived from a public string: it is for demos only and is never
/// loaded unless the configuration says `demo: true`.
public enum DemoData {
    public static let shopID = "DEMO-SHOP"
    public static let keyID: UInt32 = 0xDE30_0001
    static let signingKey = try! Curve25519.Signing.PrivateKey(
        rawRepresentation: Array(SHA256.hash(data: Array("counterd demo signing key - never use in production".utf8))))

    /// A code a newcomer can type, and what it demonstrates.
    public struct DemoCode: Sendable {
        public var code: String
        public var explanation: String
    }

    /// The codes printed in the demo banner.
    public static var codes: [DemoCode] {
        [
            DemoCode(code: "DEMO-0001", explanation: "coffee voucher, single use: accepted, then already_redeemed"),
            DemoCode(code: "DEMO-0002", explanation: "another single-use coffee voucher"),
            DemoCode(code: "CARD-0010", explanation: "10-visit card: one use per scan"),
            DemoCode(code: "DEMO-EXPD", explanation: "expired"),
            DemoCode(code: "DEMO-SOON", explanation: "not yet valid"),
            DemoCode(code: "DEMO-REVK", explanation: "revoked (refunded)"),
            DemoCode(code: "DEMO-AWAY", explanation: "valid at another shop only"),
            DemoCode(code: "DEMO-ENDD", explanation: "campaign has ended"),
            DemoCode(code: signedCode, explanation: "signed code not in the cache: accepted offline by its signature"),
        ]
    }

    /// A signed coffee voucher whose token is not in the demo cache.
    public static var signedCode: String {
        let claims = SignedCode.Claims(keyID: keyID, tokenID: TokenID(bytes: Array(repeating: 0x5A, count: 16))!,
                                       campaignID: "DEMO-COFFEE", shopScope: .anyShop, uses: 1,
                                       validFrom: nil, validUntil: nil)
        return try! SignedCode.issue(claims, signingKey: signingKey)
    }

    /// The cache contents for the demo, relative to `now`.
    public static func cacheUpdate(now: Date) -> CacheUpdate {
        let day: TimeInterval = 86_400
        let coffee = Campaign(id: "DEMO-COFFEE", title: "咖啡兑换券 Coffee voucher", product: "美式咖啡 Americano",
                              faceValue: Money(fen: 1800), shopReward: Money(fen: 200), offlinePolicy: .allowSigned)
        let card = Campaign(id: "DEMO-CARD", title: "十次洗车卡 10-visit car wash", product: "标准洗车 Car wash",
                            faceValue: Money(fen: 30000), shopReward: Money(fen: 500))
        let ended = Campaign(id: "DEMO-ENDED", title: "中秋礼盒 Mid-autumn gift box", product: "月饼礼盒 Mooncakes",
                             faceValue: Money(fen: 16800), status: .ended)
        func token(_ code: String, _ campaign: Campaign, uses: Int = 1, scope: ShopScope = .anyShop,
                   from: Date? = nil, until: Date? = nil) -> Token {
            let canonical = try! CanonicalCode(code)
            let id = TokenID(bytes: Array(SHA256.hash(data: Array(("demo token " + canonical.text).utf8)).prefix(16)))!
            return Token(id: id, codeHash: canonical.hash, campaignID: campaign.id, shopScope: scope, usesTotal: uses,
                         usesRemaining: uses, validFrom: from, validUntil: until)
        }
        let revoked = token("DEMO-REVK", coffee)
        return CacheUpdate(
            campaigns: [coffee, card, ended],
            tokens: [
                token("DEMO-0001", coffee), token("DEMO-0002", coffee), token("DEMO-0003", coffee),
                token("CARD-0010", card, uses: 10),
                token("DEMO-EXPD", coffee, from: now - 30 * day, until: now - day),
                token("DEMO-SOON", coffee, from: now + 7 * day, until: now + 37 * day),
                revoked,
                token("DEMO-AWAY", coffee, scope: .shops(["OTHER-SHOP"])),
                token("DEMO-ENDD", ended),
            ],
            signingKeys: [SigningKey(id: keyID, publicKey: Array(signingKey.publicKey.rawRepresentation))],
            revocations: [Revocation(tokenID: revoked.id, reason: "refunded", revokedAt: now - day)])
    }
}
