import Crypto
import Foundation

extension SignedCode {
    /// Why claims could not be encoded.
    public struct EncodingError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Encodes claims and signs them: the central engine's side (counter-hub, demo data and tests).
    /// - Returns: the text form (``textPrefix`` + base32).
    public static func issue(_ claims: Claims, signingKey: Curve25519.Signing.PrivateKey) throws -> String {
        let unsigned = try encodeUnsigned(claims)
        let signature = try signingKey.signature(for: signatureContext + unsigned)
        return textPrefix + Base32.encode(unsigned + Array(signature))
    }

    /// The bytes before the signature, per docs/token-format.md.
    public static func encodeUnsigned(_ claims: Claims) throws -> [UInt8] {
        var out: [UInt8] = [formatVersion]
        out += bigEndian(claims.keyID)
        out += claims.tokenID.bytes
        try appendShortString(claims.campaignID, to: &out)
        let shops = claims.shopScope.shopIDs
        guard shops.count <= maximumShops else { throw EncodingError(description: "more than \(maximumShops) shops") }
        out.append(UInt8(shops.count))
        for shop in shops { try appendShortString(shop, to: &out) }
        guard (1...Int(UInt16.max)).contains(claims.uses) else { throw EncodingError(description: "uses out of range") }
        out += [UInt8(claims.uses >> 8), UInt8(claims.uses & 0xFF)]
        let from = try seconds(claims.validFrom), until = try seconds(claims.validUntil)
        if from != 0, until != 0, until <= from { throw EncodingError(description: "validUntil must be after validFrom") }
        out += bigEndian(from)
        out += bigEndian(until)
        // The text form must fit the canonical code limit: prefix + base32(bytes + signature) <= 512.
        let textLength = textPrefix.count + ((out.count + signatureLength) * 8 + 4) / 5
        guard textLength <= CanonicalCode.maximumLength else {
            throw EncodingError(description: "the code would be \(textLength) characters; shorten ids or list fewer shops")
        }
        return out
    }

    static func appendShortString(_ text: String, to out: inout [UInt8]) throws {
        let bytes = Array(text.utf8)
        guard (1...maximumIDLength).contains(bytes.count), bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw EncodingError(description: "identifier must be 1...\(maximumIDLength) printable ASCII characters")
        }
        out.append(UInt8(bytes.count))
        out += bytes
    }

    private static func seconds(_ date: Date?) throws -> UInt32 {
        guard let date else { return 0 }
        let value = date.timeIntervalSince1970.rounded(.down)
        guard value >= 1, value <= Double(UInt32.max) else { throw EncodingError(description: "time out of range") }
        return UInt32(value)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}
