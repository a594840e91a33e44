import Crypto
import Foundation

/// The set of code-signing keys, signed by the central engine's root key (pinned at enrollment).
///
/// On the wire it travels as `{payload, signature}`: base64 of the JSON bytes, and an Ed25519
/// signature over the context string, a zero byte, and those bytes (docs/protocol.md, "Key set").
/// The signature is checked before the payload is parsed.
public struct KeySet: Sendable, Equatable {
    /// Signatures cover this context, a zero byte, then the payload bytes.
    public static let signatureContext = Array("counterd key set v1".utf8) + [0]

    public var version: Int
    public var issuedAt: Date
    public var keys: [Key]

    /// One key of the set.
    public struct Key: Sendable, Equatable, Codable {
        public var keyId: UInt32
        public var publicKey: String
        public var notBefore: Date
        public var signUntil: Date
        public var verifyUntil: Date?

        public init(keyId: UInt32, publicKey: String, notBefore: Date, signUntil: Date, verifyUntil: Date?) {
            self.keyId = keyId
            self.publicKey = publicKey
            self.notBefore = notBefore
            self.signUntil = signUntil
            self.verifyUntil = verifyUntil
        }
    }

    public init(version: Int, issuedAt: Date, keys: [Key]) {
        self.version = version
        self.issuedAt = issuedAt
        self.keys = keys
    }

    /// Why a key set was refused.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Verifies `signature` over `payload` with the pinned root key, then parses and checks the payload.
    public static func verified(payload: [UInt8], signature: [UInt8], rootPublicKey: [UInt8]) throws(Invalid) -> KeySet {
        guard let root = try? Curve25519.Signing.PublicKey(rawRepresentation: rootPublicKey) else {
            throw Invalid("the pinned root key is not an Ed25519 public key")
        }
        guard root.isValidSignature(signature, for: signatureContext + payload) else {
            throw Invalid("key set signature does not verify against the pinned root key")
        }
        let wire: Wire
        do {
            wire = try decoder.decode(Wire.self, from: Data(payload))
        } catch {
            throw Invalid("key set payload is not valid: \(error)")
        }
        guard wire.version >= 1 else { throw Invalid("key set version must be at least 1") }
        var seen = Set<UInt32>()
        for key in wire.keys {
            guard seen.insert(key.keyId).inserted else { throw Invalid("key id \(key.keyId) appears twice") }
            guard let raw = Hex.decode(key.publicKey), raw.count == 32,
                  (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
                throw Invalid("key \(key.keyId) is not a 32-byte Ed25519 public key")
            }
        }
        return KeySet(version: wire.version, issuedAt: wire.issuedAt, keys: wire.keys)
    }

    /// The keys as the verifier uses them.
    public var signingKeys: [SigningKey] {
        keys.map { SigningKey(id: $0.keyId, publicKey: Hex.decode($0.publicKey) ?? [], verifyUntil: $0.verifyUntil) }
    }

    /// Encodes and signs the set with the root key: the central engine's side.
    public func signed(with root: Curve25519.Signing.PrivateKey) throws -> (payload: [UInt8], signature: [UInt8]) {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = RFC3339.encodingStrategy
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = Array(try encoder.encode(Wire(version: version, issuedAt: issuedAt, keys: keys)))
        let signature = Array(try root.signature(for: Self.signatureContext + payload))
        return (payload, signature)
    }

    private struct Wire: Codable {
        var version: Int
        var issuedAt: Date
        var keys: [Key]
    }

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = RFC3339.decodingStrategy
        return decoder
    }()
}
