import CounterCore
import Foundation
import Testing

/// Issue 17, item 1: a staff PIN is kept and travels only as a salted PBKDF2-SHA256 verifier.
@Suite struct StaffPINTests {
    static let fast = PINVerifier.iterationRange.lowerBound

    @Test func aVerifierMatchesItsPINAndNoOther() throws {
        let verifier = try PINVerifier.make(pin: "482913", iterations: Self.fast)
        #expect(verifier.kdf == "pbkdf2-sha256")
        #expect(verifier.salt.count == 16)
        #expect(verifier.hash.count == 32)
        #expect(verifier.matches("482913"))
        #expect(!verifier.matches("482914"))
        #expect(!verifier.matches("4829130"))
        #expect(!verifier.matches(""))
        // As it is kept and will travel: salt and hash in base64.
        let json = String(decoding: try WireJSON.encoder().encode(verifier), as: UTF8.self)
        #expect(json.contains("\"salt\":\"\(verifier.salt.base64EncodedString())\""), "\(json)")
        #expect(try WireJSON.decoder().decode(PINVerifier.self, from: Data(json.utf8)) == verifier)
    }

    @Test func theSameWithAnotherSaltGivesAnotherHash() throws {
        let first = try PINVerifier.make(pin: "123456", iterations: Self.fast)
        let second = try PINVerifier.make(pin: "123456", iterations: Self.fast)
        #expect(first.salt != second.salt)
        #expect(first.hash != second.hash)
        #expect(second.matches("123456"))
    }

    @Test(arguments: ["12345", "1234567890123", "12345a", "１２３４５６", "123 456", "-123456", ""])
    func pinsAreSixToTwelveDigits(pin: String) {
        #expect(throws: StaffPINError.self) { try StaffPIN.check(pin) }
        #expect(throws: StaffPINError.self) { try PINVerifier.make(pin: pin, iterations: Self.fast) }
    }

    /// A verifier from outside (a file, the feed) is checked before a key is derived with it: a hostile iteration
    /// count must neither be accepted as weak nor hold the process for minutes.
    @Test func aVerifierOutsideTheRulesMatchesNothing() throws {
        let good = try PINVerifier.make(pin: "482913", iterations: Self.fast)
        var variants: [PINVerifier] = []
        for change in [{ (v: inout PINVerifier) in v.kdf = "md5" }, { $0.iterations = 1 }, { $0.iterations = Int.max },
                       { $0.iterations = -5 }, { $0.salt = Data() }, { $0.hash = $0.hash.prefix(16) }] {
            var copy = good
            change(&copy)
            variants.append(copy)
        }
        for variant in variants { #expect(!variant.matches("482913"), "\(variant.kdf) \(variant.iterations)") }
        #expect(throws: StaffPINError.self) { try PINVerifier.make(pin: "482913", iterations: 1000) }
    }

    @Test func theDefaultIsOWASPsFigure() throws {
        #expect(PINVerifier.defaultIterations == 600_000)
        #expect(PINVerifier.iterationRange.contains(PINVerifier.defaultIterations))
    }
}
