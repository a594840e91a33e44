import CounterCore
import Foundation
import Testing

@Suite struct SignedCodeTests {
    let accepting = Fixture()

    @Test func roundTripsClaims() throws {
        let claims = Fixture.claims(scope: .shops(["SHOP-1", "SHOP-2"]), uses: 10,
                                    from: Date(timeIntervalSince1970: 1_780_000_000),
                                    until: Date(timeIntervalSince1970: 1_800_000_000))
        let text = Fixture.signed(claims)
        #expect(text.hasPrefix("RC1:"))
        let parsed = try SignedCode(parsing: CanonicalCode(text))
        #expect(parsed.claims == claims)
        #expect(parsed.signature.count == 64)
    }

    @Test func textIsQRAlphanumericAndSurvivesCanonicalization() throws {
        let text = Fixture.signed()
        let alphanumeric = Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
        #expect(text.allSatisfy { alphanumeric.contains($0) })
        #expect(try CanonicalCode(text.lowercased()).text == text)
    }

    /// Flipping any bit of the binary form never yields an accepted code.
    @Test func everyAlteredByteIsRejected() throws {
        let text = Fixture.signed()
        let bytes = Base32.decode(text.dropFirst(4))!
        for index in bytes.indices {
            for bit in [0x01, 0x80] as [UInt8] {
                var altered = bytes
                altered[index] ^= bit
                let verdict = try accepting.verify("RC1:" + Base32.encode(altered))
                // The signature is checked before any claim is used, so only these three can result.
                #expect([.badSignature, .malformed, .unknownKey].contains(verdict.reason),
                        "byte \(index) bit \(bit): \(verdict.reason)")
            }
        }
    }

    @Test func everyAlteredCharacterIsRejected() throws {
        let text = Array(Fixture.signed())
        for index in 4..<text.count {
            var altered = text
            altered[index] = altered[index] == "A" ? "B" : "A"
            let verdict = try accepting.verify(String(altered))
            #expect(verdict.reason == .badSignature || verdict.reason == .malformed || verdict.reason == .unknownKey,
                    "character \(index): \(verdict.reason)")
        }
    }

    @Test func everyTruncationIsMalformed() throws {
        let bytes = Base32.decode(Fixture.signed().dropFirst(4))!
        for length in 0..<bytes.count {
            let verdict = try accepting.verify("RC1:" + Base32.encode(Array(bytes.prefix(length))))
            #expect(verdict.reason == .malformed, "length \(length): \(verdict.reason)")
        }
    }

    @Test func extensionsAreMalformed() throws {
        let text = Fixture.signed()
        let bytes = Base32.decode(text.dropFirst(4))!
        for extra in [[0x00], [0xFF], [0x00, 0x00, 0x00, 0x00, 0x00]] as [[UInt8]] {
            #expect(try accepting.verify("RC1:" + Base32.encode(bytes + extra)).reason == .malformed)
        }
        #expect(try accepting.verify(text + "A").reason == .malformed)
        #expect(try accepting.verify(text + "AAAAAAAA").reason == .malformed)
    }

    @Test func rejectsOtherVersionsAndBadFields() throws {
        var bytes = Base32.decode(Fixture.signed().dropFirst(4))!
        bytes[0] = 2
        #expect(throws: MalformedCode.self) { try SignedCode(bytes: bytes) }
        #expect(try accepting.verify("RC1:").reason == .malformed)
        #expect(try accepting.verify("RC1:!!!!").reason == .malformed)
    }

    @Test func issuingRejectsClaimsTheFormatCannotHold() {
        #expect(throws: (any Error).self) { try SignedCode.encodeUnsigned(Fixture.claims(uses: 0)) }
        #expect(throws: (any Error).self) { try SignedCode.encodeUnsigned(Fixture.claims(uses: 70_000)) }
        #expect(throws: (any Error).self) { try SignedCode.encodeUnsigned(Fixture.claims(campaign: "")) }
        #expect(throws: (any Error).self) { try SignedCode.encodeUnsigned(Fixture.claims(campaign: String(repeating: "C", count: 65))) }
        #expect(throws: (any Error).self) { try SignedCode.encodeUnsigned(Fixture.claims(campaign: "has space")) }
        let now = Fixture.now
        #expect(throws: (any Error).self) { try SignedCode.encodeUnsigned(Fixture.claims(from: now, until: now)) }
        // Sixteen 64-character shop ids would make a code longer than the 512-byte canonical limit.
        let shops = (0..<16).map { String(format: "%064d", $0) }
        #expect(throws: (any Error).self) { try SignedCode.encodeUnsigned(Fixture.claims(scope: .shops(shops))) }
    }
}
