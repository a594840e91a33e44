import Foundation

/// A self-contained redemption code signed with Ed25519 by the central engine.
///
/// The byte layout and text form are specified in docs/token-format.md; keep the two in step.
/// Parsing is strict: explicit lengths, big-endian integers, and no trailing bytes.
public struct SignedCode: Hashable, Sendable {
    /// The text form starts with this prefix, then base32 of the bytes.
    public static let textPrefix = "RC1:"
    /// The only format version this build reads.
    public static let formatVersion: UInt8 = 1
    /// Signatures cover this context string, a zero byte, then the unsigned bytes.
    public static let signatureContext = Array("counterd redemption code v1".utf8) + [0]
    /// Bounds on the variable-length fields.
    public static let maximumIDLength = 64
    public static let maximumShops = 16
    static let signatureLength = 64

    /// What the code claims about its token.
    public let claims: Claims
    /// The bytes the signature covers (everything before the signature).
    public let signedBytes: [UInt8]
    /// The 64-byte Ed25519 signature.
    public let signature: [UInt8]

    /// The claims carried by a signed code.
    public struct Claims: Hashable, Sendable {
        public var keyID: UInt32
        public var tokenID: TokenID
        public var campaignID: String
        public var shopScope: ShopScope
        public var uses: Int
        /// Inclusive; `nil` for no lower bound (stored as 0).
        public var validFrom: Date?
        /// Exclusive; `nil` for no upper bound (stored as 0).
        public var validUntil: Date?

        public init(keyID: UInt32, tokenID: TokenID, campaignID: String, shopScope: ShopScope, uses: Int,
                    validFrom: Date?, validUntil: Date?) {
            self.keyID = keyID
            self.tokenID = tokenID
            self.campaignID = campaignID
            self.shopScope = shopScope
            self.uses = uses
            self.validFrom = validFrom
            self.validUntil = validUntil
        }
    }

    /// Parses the text form of a canonical code.
    /// - Throws: ``MalformedCode`` with kind `badSignedForm` for any deviation from the layout.
    public init(parsing code: CanonicalCode) throws(MalformedCode) {
        guard code.text.hasPrefix(Self.textPrefix) else {
            throw MalformedCode(.badSignedForm, detail: "missing \(Self.textPrefix) prefix")
        }
        let body = code.text.dropFirst(Self.textPrefix.count)
        guard let bytes = Base32.decode(body) else {
            throw MalformedCode(.badSignedForm, detail: "not base32")
        }
        try self.init(bytes: bytes)
    }

    /// Parses the binary form.
    public init(bytes: [UInt8]) throws(MalformedCode) {
        var reader = ByteReader(bytes)
        let version = try reader.uint8()
        guard version == Self.formatVersion else {
            throw MalformedCode(.badSignedForm, detail: "unsupported version \(version)")
        }
        let keyID = try reader.uint32()
        guard let tokenID = TokenID(bytes: try reader.bytes(16)) else {
            throw MalformedCode(.badSignedForm, detail: "token id")
        }
        let campaignID = try reader.shortString(maximum: Self.maximumIDLength)
        let shopCount = Int(try reader.uint8())
        guard shopCount <= Self.maximumShops else {
            throw MalformedCode(.badSignedForm, detail: "too many shops")
        }
        var shops: [String] = []
        for _ in 0..<shopCount { shops.append(try reader.shortString(maximum: Self.maximumIDLength)) }
        let uses = Int(try reader.uint16())
        guard uses >= 1 else { throw MalformedCode(.badSignedForm, detail: "zero uses") }
        let validFrom = try reader.uint32()
        let validUntil = try reader.uint32()
        if validFrom != 0, validUntil != 0, validUntil <= validFrom {
            throw MalformedCode(.badSignedForm, detail: "empty validity window")
        }
        let signedLength = reader.offset
        let signature = try reader.bytes(Self.signatureLength)
        guard reader.isAtEnd else { throw MalformedCode(.badSignedForm, detail: "trailing bytes") }

        self.claims = Claims(keyID: keyID, tokenID: tokenID, campaignID: campaignID,
                             shopScope: ShopScope(shopIDs: shops), uses: uses,
                             validFrom: validFrom == 0 ? nil : Date(timeIntervalSince1970: Double(validFrom)),
                             validUntil: validUntil == 0 ? nil : Date(timeIntervalSince1970: Double(validUntil)))
        self.signedBytes = Array(bytes[..<signedLength])
        self.signature = signature
    }

    /// The message the signature covers: the context string, a zero byte, then ``signedBytes``.
    public var signedMessage: [UInt8] { Self.signatureContext + signedBytes }

    /// Whether `key` made ``signature``.
    public func isSigned(by key: SigningKey) -> Bool {
        key.isValidSignature(signature, for: signedMessage)
    }
}

/// A bounds-checked big-endian reader over a byte array.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func bytes(_ count: Int) throws(MalformedCode) -> [UInt8] {
        guard count >= 0, bytes.count - offset >= count else {
            throw MalformedCode(.badSignedForm, detail: "truncated")
        }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint8() throws(MalformedCode) -> UInt8 { try bytes(1)[0] }

    mutating func uint16() throws(MalformedCode) -> UInt16 {
        let b = try bytes(2)
        return UInt16(b[0]) << 8 | UInt16(b[1])
    }

    mutating func uint32() throws(MalformedCode) -> UInt32 {
        try bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A length byte, then that many bytes of printable ASCII (1...maximum).
    mutating func shortString(maximum: Int) throws(MalformedCode) -> String {
        let length = Int(try uint8())
        guard length >= 1, length <= maximum else {
            throw MalformedCode(.badSignedForm, detail: "identifier length \(length)")
        }
        let raw = try bytes(length)
        guard raw.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw MalformedCode(.badSignedForm, detail: "identifier characters")
        }
        return String(decoding: raw, as: UTF8.self)
    }
}
