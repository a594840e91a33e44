// Fuzz target: canonicalization, signed code parsing (text and binary form), base32, and the verifier.
// First byte: 0 = the rest is a scanned or typed code, run through Verifier.verify as counterd does;
// otherwise the rest is the binary form, parsed, and when it parses, signed with the fixture key and
// verified, so that arbitrary claims reach the checks behind the signature.
import CounterCore
import Crypto
import Foundation
import FuzzSupport

struct Catalog: TokenCatalog {
    static let privateKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
    static let campaign = Campaign(id: "CAMP-2026", title: "Coffee", product: "Americano", faceValue: Money(fen: 1800),
                                   shopReward: Money(fen: 200), offlinePolicy: .allowSigned)
    // The key of docs/token-vectors.json (id 1) and the fixture key (id 42).
    static let keys = [
        SigningKey(id: 1, publicKey: Hex.decode("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c")!),
        SigningKey(id: 42, publicKey: Array(privateKey.publicKey.rawRepresentation)),
    ]
    static let cached = Token(id: TokenID(bytes: [UInt8](repeating: 0xA1, count: 16))!,
                              codeHash: try! CanonicalCode("SINGLE-0001").hash, campaignID: "CAMP-2026",
                              shopScope: .anyShop, usesTotal: 3, usesRemaining: 2, validFrom: nil, validUntil: nil)

    func token(withCodeHash hash: CodeHash) throws -> Token? { hash == Self.cached.codeHash ? Self.cached : nil }
    func token(withID id: TokenID) throws -> Token? { id == Self.cached.id ? Self.cached : nil }
    func campaign(withID id: String) throws -> Campaign? { id == Self.campaign.id ? Self.campaign : nil }
    func signingKey(withID id: UInt32) throws -> SigningKey? { Self.keys.first { $0.id == id } }
    func revocation(of tokenID: TokenID) throws -> Revocation? { nil }
    func lastUse(of tokenID: TokenID) throws -> PriorUse? { nil }
}

let verifier = Verifier(shopID: "SHOP-1")
let now = Date(timeIntervalSince1970: 1_790_000_000)

fuzz { bytes in
    var input = FuzzInput(bytes)
    let mode = input.byte()
    let uses = Int(input.byte() % 4) + 1
    let payload = input.rest()
    if mode % 2 == 0 {
        let raw = String(decoding: payload, as: UTF8.self)
        if let code = try? CanonicalCode(raw) {
            // Canonicalization is idempotent.
            precondition(try! CanonicalCode(code.text) == code, "canonicalizing twice changed the code")
            _ = code.lastFour
            if code.isSigned, let signed = try? SignedCode(parsing: code) {
                precondition(signed.signedBytes.count + 64 == Base32.decode(code.text.dropFirst(4))!.count)
            }
        }
        if let body = Base32.decode(raw) {
            precondition(Base32.decode(Base32.encode(body)) == body, "base32 does not round-trip")
        }
        _ = try! verifier.verify(raw, uses: uses, at: now, in: Catalog())
    } else {
        guard let signed = try? SignedCode(bytes: payload) else { return }
        precondition(signed.signedBytes + signed.signature == payload, "the parse lost bytes")
        var claims = signed.claims
        claims.keyID = 42
        guard let text = try? SignedCode.issue(claims, signingKey: Catalog.privateKey) else { return }
        let reparsed = try! SignedCode(parsing: try! CanonicalCode(text))
        precondition(reparsed.claims == claims, "issue and parse disagree")
        _ = try! verifier.verify(text, uses: uses, at: now, in: Catalog())
    }
}
