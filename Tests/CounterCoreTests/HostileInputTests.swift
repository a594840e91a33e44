import CounterCore
import Foundation
import Testing

/// Host names, profile ids and amounts that come from outside (issue 15: DNS rebinding, path traversal, overflow).
@Suite struct HostileInputTests {
    @Test(arguments: ["localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "[::1]",
                      "0:0:0:0:0:0:0:1"])
    func loopbackLiteralsAreLoopback(host: String) {
        #expect(LoopbackHost.contains(host))
    }

    /// Names that start like a loopback address but are DNS names an attacker controls, and other non-loopback hosts.
    @Test(arguments: ["127.0.0.1.rebind.attacker.example", "127.attacker.example", "127.", "127.0.0.1.", "localhost.evil.example",
                      "127.0.0.01x", "127.0.0.1\u{0}\u{0}\u{0}\u{E}5", "127.0.0.1\u{0}.evil.example", "0x7f.0.0.1", "2130706433", "128.0.0.1", "10.0.0.1", "::2", "::ffff:10.0.0.1", "", "[", "evil.example"])
    func namesAndOtherAddressesAreNot(host: String) {
        #expect(!LoopbackHost.contains(host))
    }

    @Test(arguments: ["generic-58", "epson-tm-t82-cn", "a", "x1.v2_b-c"])
    func profileIDs(id: String) {
        #expect(ProfileID.isValid(id))
    }

    @Test(arguments: ["", "../../etc/passwd", "/etc/passwd", "..", ".hidden", "Generic-58", "a/b", "a b", "-x",
                      String(repeating: "a", count: 65), "a\u{0}b"])
    func notProfileIDs(id: String) {
        #expect(!ProfileID.isValid(id))
    }

    @Test func saturatingConversionNeverTraps() {
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: .infinity) == .max)
        #expect(Int(saturating: -.infinity) == .min)
        #expect(Int(saturating: 1e300) == .max)
        #expect(Int(saturating: 9.223372036854775807e18) == .max)
        #expect(Int(saturating: -42.9) == -42)
    }

    @Test func moneyNeverTraps() {
        #expect(Money(fen: 150).times(3) == Money(fen: 450))
        #expect(Money(fen: Int.max).times(2) == nil)
        #expect(Money(fen: 9_007_199_254_740_991).times(65_535) == nil, "the largest reward the contract allows, times the most uses")
        #expect(Money(fen: Int.min).description.hasPrefix("-￥"))
        #expect(Money(fen: -1250).description == "-￥12.50")
    }
}

/// Times a peer sends: a five-digit year once parsed, was stored, and trapped GRDB when read back.
@Suite struct HostileTimeTests {
    @Test(arguments: ["10000-01-01T00:00:00Z", "99999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "-0001-01-01T00:00:00Z",
                      "2026-11-22T02:31:07+08:00", "2026-11-22T02:31:07"])
    func timesOutOfRangeAreNotTimes(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    /// schemathesis sent a time with 20 fractional digits, valid RFC 3339 and valid by the contract's pattern.
    @Test func longFractionsAreTimesAndGarbageAfterTheNinthDigitIsNot() throws {
        let long = try #require(RFC3339.parse("2026-06-17T03:28:17.61350779869219578728Z"))
        #expect(abs(long.timeIntervalSince1970 - 1_781_666_897.613_507_798) < 0.000_01)
        #expect(RFC3339.parse("2026-06-17T03:28:17.613507798x9219578728Z") == nil)
        #expect(RFC3339.parse("2026-06-17T03:28:17." + String(repeating: "1", count: 60) + "Z") == nil, "over 64 characters")
    }

    @Test func theEdgesOfTheRangeParse() {
        #expect(RFC3339.parse("9999-12-31T23:59:59Z") != nil)
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
    }
}
