import Foundation

/// One framed scan from one device, before any interpretation.
public struct ScanEvent: Sendable, Equatable {
    /// How a frame ended.
    public enum Completion: Sendable, Equatable {
        /// Ended by the configured terminator (or by silence when the source has none).
        case complete
        /// Cut off: silence arrived before the terminator.
        case incomplete
        /// Longer than the framer accepts; the bytes were dropped.
        case overlong(byteCount: Int)
    }

    /// The source's configured name (e.g. `front-counter`).
    public var source: String
    /// The frame's bytes, without terminator and surrounding whitespace.
    public var bytes: [UInt8]
    public var completion: Completion
    public var receivedAt: Date

    public init(source: String, bytes: [UInt8], completion: Completion = .complete, receivedAt: Date = Date()) {
        self.source = source
        self.bytes = bytes
        self.completion = completion
        self.receivedAt = receivedAt
    }

    /// The bytes as text; invalid UTF-8 is replaced, and canonicalization then rejects it.
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// A device or input that produces scans. The daemon runs every configured source concurrently;
/// the redeemer never learns which kind delivered a scan.
public protocol ScanSource: Sendable {
    /// The configured name, used in logs and as the redemption's source.
    var name: String { get }
    /// Reads until cancelled (or, for finite inputs, until they end), calling `deliver` for each scan.
    func run(deliver: @escaping @Sendable (ScanEvent) async -> Void) async throws
}
