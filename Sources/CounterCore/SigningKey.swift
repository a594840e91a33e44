import Crypto
import Foundation

/// An Ed25519 public key that signs codes, from a key set signed by the central engine's root key.
public struct SigningKey: Hashable, Sendable {
    public var id: UInt32
    /// The 32-byte raw Ed25519 public key.
    public var publicKey: [UInt8]
    /// Codes may be verified with this key until this instant; `nil` for no end.
    public var verifyUntil: Date?

    public init(id: UInt32, publicKey: [UInt8], verifyUntil: Date? = nil) {
        self.id = id
        self.publicKey = publicKey
        self.verifyUntil = verifyUntil
    }

    /// Whether this key may still verify codes at `now`.
    public func isUsable(at now: Date) -> Bool {
        verifyUntil.map { now < $0 } ?? true
    }

    /// Checks an Ed25519 signature over `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature, for: message)
    }
}
