import Crypto
import Foundation

/// A redemption code in its canonical form: trimmed, without spaces or `-`, in upper case.
///
/// Scanners and cashiers deliver the same code in many shapes (`abcd-efgh`, ` ABCD EFGH\r`).
/// Everything after canonicalization sees one spelling, and the cache keys tokens by
/// ``hash`` (SHA-256 of ``text``), never by the plain code.
public struct CanonicalCode: Hashable, Sendable {
    /// The longest canonical code accepted, in bytes.
    public static let maximumLength = 512

    /// The canonical text: printable ASCII only.
    public let text: String

    /// Canonicalizes a raw scan or typed code.
    /// - Throws: ``MalformedCode`` when the code is empty, too long, or holds characters
    ///   that no redemption code contains (control characters, non-ASCII).
    public init(_ raw: String) throws(MalformedCode) {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(trimmed.utf8.count, Self.maximumLength + 1))
        for byte in trimmed.utf8 {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "-"):
                continue
            case 0x00..<0x20, 0x7F:
                throw MalformedCode(.controlCharacter)
            case 0x80...:
                throw MalformedCode(.notASCII)
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                bytes.append(byte - 0x20)
            default:
                bytes.append(byte)
            }
            if bytes.count > Self.maximumLength { throw MalformedCode(.tooLong) }
        }
        if bytes.isEmpty { throw MalformedCode(.empty) }
        self.text = String(decoding: bytes, as: UTF8.self)
    }

    /// SHA-256 of the canonical text: the key of the token cache.
    public var hash: CodeHash { CodeHash(of: text) }

    /// The last four characters, printed on receipts and shown in history.
    public var lastFour: String { String(text.suffix(4)) }

    /// Whether the code is in the signed text form (starts with ``SignedCode/textPrefix``).
    public var isSigned: Bool { text.hasPrefix(SignedCode.textPrefix) }
}

/// Why a raw code could not be canonicalized.
public struct MalformedCode: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of malformed input.
    public enum Kind: String, Sendable {
        case empty, tooLong = "too_long", controlCharacter = "control_character", notASCII = "not_ascii"
        case badSignedForm = "bad_signed_form", incompleteScan = "incomplete_scan"
    }
    /// What is wrong with the code.
    public let kind: Kind
    /// Extra detail for logs (never the code itself).
    public let detail: String?

    public init(_ kind: Kind, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String {
        let base: String
        switch kind {
        case .empty: base = "the code is empty"
        case .tooLong: base = "the code is longer than \(CanonicalCode.maximumLength) bytes"
        case .controlCharacter: base = "the code contains control characters"
        case .notASCII: base = "the code contains characters that no redemption code has"
        case .badSignedForm: base = "the signed code is not well formed"
        case .incompleteScan: base = "the scan was cut off before its end"
        }
        return detail.map { "\(base): \($0)" } ?? base
    }
}
