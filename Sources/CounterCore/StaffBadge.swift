import Crypto
import Foundation

/// A staff badge (员工卡) code: who a card belongs to, signed by the central engine with a key of the key set, so that a
/// counter checks it offline (docs/token-format.md, "Staff badges"). Scanned on any scanner it signs its holder in; it
/// is never redeemed. Reissuing a badge gives a new ``badgeID`` and retires the old card.
///
/// Text form: `SB1:` then base32 of: version (1) · key id (u32) · shop id · staff id (each a length byte and 1 to 64
/// printable ASCII bytes) · badge id (16 bytes) · Ed25519 signature (64 bytes) over "counterd staff badge v1", a zero
/// byte and everything before the signature.
public struct StaffBadge: Hashable, Sendable {
    public static let textPrefix = "SB1:"
    public static let formatVersion: UInt8 = 1
    public static let signatureContext = Array("counterd staff badge v1".utf8) + [0]

    public var keyID: UInt32
    public var shopID: String
    public var staffID: String
    /// 16 random bytes; the feed carries the current one per member (``StaffMember/badgeID``).
    public var badgeID: [UInt8]
    /// The bytes the signature covers, and the signature; empty for a badge not yet signed.
    public private(set) var signedBytes: [UInt8] = []
    public private(set) var signature: [UInt8] = []

    public init(keyID: UInt32, shopID: String, staffID: String, badgeID: [UInt8]) {
        self.keyID = keyID
        self.shopID = shopID
        self.staffID = staffID
        self.badgeID = badgeID
    }

    /// Whether a canonical code is a badge (its prefix), before it is parsed: such a code is never redeemed.
    public static func isBadge(_ code: CanonicalCode) -> Bool { code.text.hasPrefix(textPrefix) }

    /// Parses a badge's canonical text form.
    /// - Throws: ``MalformedCode`` for any deviation from the layout.
    public init(parsing code: CanonicalCode) throws(MalformedCode) {
        guard Self.isBadge(code), let bytes = Base32.decode(code.text.dropFirst(Self.textPrefix.count)) else {
            throw MalformedCode(.badSignedForm, detail: "not a staff badge")
        }
        var reader = ByteReader(bytes)
        guard try reader.uint8() == Self.formatVersion else { throw MalformedCode(.badSignedForm, detail: "unsupported badge version") }
        keyID = try reader.uint32()
        shopID = try reader.shortString(maximum: SignedCode.maximumIDLength)
        staffID = try reader.shortString(maximum: SignedCode.maximumIDLength)
        badgeID = try reader.bytes(16)
        let signedLength = reader.offset
        signature = try reader.bytes(64)
        guard reader.isAtEnd else { throw MalformedCode(.badSignedForm, detail: "trailing bytes") }
        signedBytes = Array(bytes[..<signedLength])
    }

    /// Encodes and signs the badge: the central engine's side. Returns the text form.
    public func issue(signingKey: Curve25519.Signing.PrivateKey) throws -> String {
        guard badgeID.count == 16 else { throw SignedCode.EncodingError(description: "a badge id is 16 bytes") }
        var out: [UInt8] = [Self.formatVersion]
        out += SignedCode.bigEndian(keyID)
        try SignedCode.appendShortString(shopID, to: &out)
        try SignedCode.appendShortString(staffID, to: &out)
        out += badgeID
        let signature = try signingKey.signature(for: Self.signatureContext + out)
        return Self.textPrefix + Base32.encode(out + Array(signature))
    }

    /// Whether `key` made the signature.
    public func isSigned(by key: SigningKey) -> Bool {
        !signature.isEmpty && key.isValidSignature(signature, for: Self.signatureContext + signedBytes)
    }
}
