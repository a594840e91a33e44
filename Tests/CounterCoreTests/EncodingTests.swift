import CounterCore
import Foundation
import Testing

@Suite struct Base32Tests {
    // RFC 4648 section 10, without padding.
    @Test(arguments: [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"),
                      ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")])
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
    }

    @Test(arguments: ["MZXW6=", "mzxw6", "MZXW1", "MZXW8", "MZ XW"])
    func rejectsCharactersOutsideTheAlphabet(text: String) {
        #expect(Base32.decode(text) == nil)
    }

    @Test func rejectsNonZeroTrailingBits() {
        // "MY" is "f"; "MZ" sets a trailing bit, so it is not a canonical encoding.
        #expect(Base32.decode("MZ") == nil)
        #expect(Base32.decode("M") == nil)
    }

    @Test func roundTripsEveryLength() {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base32.decode(Base32.encode(bytes)) == bytes)
        }
    }
}

@Suite struct HexAndIDTests {
    @Test func hexRoundTrip() {
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xAB, 0xFF])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }

    @Test func tokenIDIsSixteenBytes() {
        #expect(TokenID(hex: String(repeating: "ab", count: 16)) != nil)
        #expect(TokenID(hex: String(repeating: "ab", count: 15)) == nil)
        #expect(TokenID.random() != TokenID.random())
    }

    @Test func moneyUsesTheTwoByteYuanSign() {
        #expect(Money(fen: 1800).description == "￥18.00")
        #expect(Money(fen: 5).description == "￥0.05")
        #expect(Money(fen: -250).description == "-￥2.50")
        #expect(!Money(fen: 100).description.contains("¥"))
    }
}

@Suite struct UUIDv7Tests {
    @Test func versionVariantAndTimestamp() {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = UUIDv7.make(now: Date())
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        let millis = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        // Ids stay increasing even if the clock steps back, so the stamp may run ahead by a few ms under load.
        #expect(millis >= before && millis <= after + 5)
    }

    @Test func strictlyIncreasingWithinOneMillisecond() {
        let now = Date()
        let ids = (0..<5000).map { _ in UUIDv7.make(now: now).lowercasedString }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }
}
