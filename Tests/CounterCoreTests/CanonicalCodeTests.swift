import CounterCore
import Testing

@Suite struct CanonicalCodeTests {
    @Test(arguments: [
        ("abcd-efgh", "ABCDEFGH"),
        ("  ABCD EFGH\r\n", "ABCDEFGH"),
        ("\tab-cd-ef\t", "ABCDEF"),
        ("RC1:mzxw6", "RC1:MZXW6"),
        ("x", "X"),
    ])
    func canonicalizes(raw: String, expected: String) throws {
        #expect(try CanonicalCode(raw).text == expected)
    }

    @Test(arguments: ["", "   ", "---", " - - \r\n"])
    func rejectsEmpty(raw: String) {
        #expect(throws: MalformedCode(.empty)) { try CanonicalCode(raw) }
    }

    @Test func acceptsExactlyTheMaximumLength() throws {
        let code = String(repeating: "A", count: CanonicalCode.maximumLength)
        #expect(try CanonicalCode(code).text.count == 512)
        // Dashes and spaces do not count.
        #expect(try CanonicalCode(code + "---").text.count == 512)
    }

    @Test func rejectsOneByteOverTheMaximum() {
        let code = String(repeating: "A", count: CanonicalCode.maximumLength + 1)
        #expect(throws: MalformedCode(.tooLong)) { try CanonicalCode(code) }
    }

    @Test(arguments: ["AB\u{0}CD", "AB\u{1B}CD", "AB\u{7F}", "AB\tCD", "AB\nCD"])
    func rejectsControlCharactersInside(raw: String) {
        #expect(throws: MalformedCode(.controlCharacter)) { try CanonicalCode(raw) }
    }

    @Test(arguments: ["核销码", "ABCÉ", "ＡＢＣ", "AB\u{FFFD}"])
    func rejectsNonASCII(raw: String) {
        #expect(throws: MalformedCode(.notASCII)) { try CanonicalCode(raw) }
    }

    @Test func hashIsSHA256OfTheCanonicalText() throws {
        // SHA-256("ABC") from FIPS 180-2.
        #expect(try CanonicalCode("a-b c").hash.hex == "b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78")
        #expect(try CanonicalCode("abc").hash == CanonicalCode("A-B-C").hash)
    }

    @Test func lastFourAndSignedDetection() throws {
        #expect(try CanonicalCode("demo-0001").lastFour == "0001")
        #expect(try CanonicalCode("rc1:AAAA").isSigned)
        #expect(try !CanonicalCode("RC2:AAAA").isSigned)
    }
}
