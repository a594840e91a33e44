import CounterCore
import Crypto
import Foundation
import Testing

/// Staff badges (员工卡, issue 17): signed offline-checkable cards that sign their holder in and are never redeemed.
@Suite struct StaffBadgeTests {
    static let key = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32))
    static let other = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 8, count: 32))
    static let signingKey = SigningKey(id: 3, publicKey: Array(key.publicKey.rawRepresentation))

    static func issued(staff: String = "s-wang") throws -> String {
        try StaffBadge(keyID: 3, shopID: "SHOP-1", staffID: staff, badgeID: Array(0..<16)).issue(signingKey: key)
    }

    @Test func aBadgeRoundTripsAndIsSignedByItsKeyOnly() throws {
        let text = try Self.issued()
        #expect(text.hasPrefix("SB1:"))
        // Scanners deliver it in any case and with spaces or dashes: the canonical form reads the same.
        let code = try CanonicalCode(" " + text.lowercased() + "\r\n")
        #expect(StaffBadge.isBadge(code))
        let badge = try StaffBadge(parsing: code)
        #expect(badge.keyID == 3 && badge.shopID == "SHOP-1" && badge.staffID == "s-wang" && badge.badgeID == Array(0..<16))
        #expect(badge.isSigned(by: Self.signingKey))
        #expect(!badge.isSigned(by: SigningKey(id: 3, publicKey: Array(Self.other.publicKey.rawRepresentation))))
        #expect(!StaffBadge.isBadge(try CanonicalCode("RC1:ABC")), "a signed redemption code is not a badge")
    }

    @Test func aTamperedOrMalformedBadgeIsRefused() throws {
        let text = try Self.issued()
        // Another staff id with the same signature: the signature no longer matches.
        let forged = try StaffBadge(keyID: 3, shopID: "SHOP-1", staffID: "s-boss", badgeID: Array(0..<16)).issue(signingKey: Self.other)
        #expect(try !StaffBadge(parsing: CanonicalCode(forged)).isSigned(by: Self.signingKey))
        for bad in ["SB1:", "SB1:!!!!", "SB1:AAAA", String(text.dropLast(4)), text + "AAAAAAAA", "SB2:" + text.dropFirst(4)] {
            #expect(throws: MalformedCode.self, "\(bad)") { try StaffBadge(parsing: CanonicalCode(bad)) }
        }
        #expect(throws: (any Error).self) {
            try StaffBadge(keyID: 3, shopID: "SHOP-1", staffID: "s-wang", badgeID: [1, 2]).issue(signingKey: Self.key)
        }
    }
}
