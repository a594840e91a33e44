import Crypto
import Foundation

/// SHA-256 of a canonical code. The token cache and the rejection log store this, never the code.
public struct CodeHash: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Hashes the canonical text of a code.
    public init(of canonicalText: String) {
        self.bytes = Array(SHA256.hash(data: Array(canonicalText.utf8)))
    }

    /// Wraps 32 digest bytes read back from storage; `nil` when the length is wrong.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Lower-case hex, as used in the feed and in tests.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }
}
