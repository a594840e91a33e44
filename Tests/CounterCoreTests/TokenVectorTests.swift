import CounterCore
import Crypto
import Foundation
import Testing

/// Generates the published test vectors of docs/token-vectors.json and checks them against the verifier.
/// Run with COUNTERD_UPDATE_VECTORS=1 to rewrite the file after a deliberate format change.
@Suite struct TokenVectorTests {
    struct Vector: Codable, Equatable {
        var name: String
        var publicKeyHex: String
        var keyId: UInt32
        var shopId: String
        var now: Int
        var signedCode: String
        var expectedReason: String
        var claims: Claims?

        struct Claims: Codable, Equatable {
            var tokenIdHex: String
            var campaignId: String
            var shopIds: [String]
            var uses: Int
            var validFrom: Int
            var validUntil: Int
        }
    }

    static let vectorsURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/token-vectors.json")

    static func makeVectors() throws -> [Vector] {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x01, count: 32))
        let publicHex = Hex.encode(key.publicKey.rawRepresentation)
        let now = 1_790_000_000
        func claims(_ token: UInt8, shops: [String], uses: Int, from: Int, until: Int) -> SignedCode.Claims {
            SignedCode.Claims(keyID: 1, tokenID: TokenID(bytes: [UInt8](repeating: token, count: 16))!, campaignID: "CAMP-2026",
                              shopScope: ShopScope(shopIDs: shops), uses: uses,
                              validFrom: from == 0 ? nil : Date(timeIntervalSince1970: Double(from)),
                              validUntil: until == 0 ? nil : Date(timeIntervalSince1970: Double(until)))
        }
        func vector(_ name: String, _ code: String, _ reason: VerdictReason, _ claims: SignedCode.Claims?) -> Vector {
            Vector(name: name, publicKeyHex: publicHex, keyId: 1, shopId: "SHOP-1", now: now, signedCode: code,
                   expectedReason: reason.rawValue,
                   claims: claims.map {
                       Vector.Claims(tokenIdHex: $0.tokenID.hex, campaignId: $0.campaignID, shopIds: $0.shopScope.shopIDs,
                                     uses: $0.uses, validFrom: Int($0.validFrom?.timeIntervalSince1970 ?? 0),
                                     validUntil: Int($0.validUntil?.timeIntervalSince1970 ?? 0))
                   })
        }
        let simple = claims(0xA1, shops: [], uses: 1, from: 0, until: 0)
        let scoped = claims(0xB2, shops: ["SHOP-1", "SHOP-2"], uses: 10, from: now - 86_400, until: now + 86_400)
        let simpleCode = try SignedCode.issue(simple, signingKey: key)
        let simpleBytes = Base32.decode(simpleCode.dropFirst(4))!
        var tampered = simpleBytes
        tampered[22] ^= 0x01 // a campaign id character
        let otherKey = claims(0xC3, shops: [], uses: 1, from: 0, until: 0)
        var unknownKey = otherKey
        unknownKey.keyID = 2
        return [
            vector("single use, any shop, no window", simpleCode, .ok, simple),
            vector("ten uses, two shops, one-day window", try SignedCode.issue(scoped, signingKey: key), .ok, scoped),
            vector("expired", try SignedCode.issue(claims(0xD4, shops: [], uses: 1, from: now - 172_800, until: now),
                                                   signingKey: key), .expired, nil),
            vector("other shop", try SignedCode.issue(claims(0xE5, shops: ["SHOP-9"], uses: 1, from: 0, until: 0),
                                                      signingKey: key), .wrongShop, nil),
            vector("campaign byte altered", "RC1:" + Base32.encode(tampered), .badSignature, nil),
            vector("last byte removed", "RC1:" + Base32.encode(Array(simpleBytes.dropLast())), .malformed, nil),
            vector("one byte appended", "RC1:" + Base32.encode(simpleBytes + [0]), .malformed, nil),
            vector("unknown key id", try SignedCode.issue(unknownKey, signingKey: key), .unknownKey, nil),
        ]
    }

    @Test func vectorsFileMatchesGeneratedVectors() throws {
        let vectors = try Self.makeVectors()
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(vectors) + Data("\n".utf8)
        if ProcessInfo.processInfo.environment["COUNTERD_UPDATE_VECTORS"] == "1" {
            try data.write(to: Self.vectorsURL)
        }
        let committed = try Data(contentsOf: Self.vectorsURL)
        #expect(committed == data, "docs/token-vectors.json is stale: run with COUNTERD_UPDATE_VECTORS=1")
    }

    @Test func everyVectorGivesItsExpectedReason() throws {
        for vector in try Self.makeVectors() {
            let catalog = MemoryCatalog(
                campaigns: [Campaign(id: "CAMP-2026", title: "T", product: "P", faceValue: Money(fen: 100),
                                     offlinePolicy: .allowSigned)],
                keys: [SigningKey(id: vector.keyId, publicKey: Hex.decode(vector.publicKeyHex)!)])
            let verdict = try Verifier(shopID: vector.shopId)
                .verify(vector.signedCode, at: Date(timeIntervalSince1970: Double(vector.now)), in: catalog).verdict
            #expect(verdict.reason.rawValue == vector.expectedReason, "\(vector.name)")
            if let claims = vector.claims {
                let parsed = try SignedCode(parsing: CanonicalCode(vector.signedCode)).claims
                #expect(parsed.tokenID.hex == claims.tokenIdHex)
                #expect(parsed.shopScope.shopIDs == claims.shopIds)
                #expect(parsed.uses == claims.uses)
            }
        }
    }
}
