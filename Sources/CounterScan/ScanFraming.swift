/// How a scanner ends each scan.
public enum ScanTerminator: String, Sendable, CaseIterable, Codable {
    case cr, lf, crlf, tab
    /// No terminator: a pause longer than the inter-character timeout ends the scan.
    case none

    /// The bytes that end a frame. `crlf` ends on either byte; the empty frame between is dropped.
    var bytes: Set<UInt8> {
        switch self {
        case .cr: return [0x0D]
        case .lf: return [0x0A]
        case .crlf: return [0x0D, 0x0A]
        case .tab: return [0x09]
        case .none: return []
        }
    }
}

/// Framing rules of one source.
public struct ScanFraming: Sendable, Equatable {
    public var terminator: ScanTerminator
    /// A pause longer than this inside a scan ends it (as incomplete when a terminator is expected).
    /// `nil` waits forever (the terminal source).
    public var interCharacterTimeout: Duration?
    /// Frames longer than this are dropped whole and reported as overlong.
    public var maximumLength: Int
    /// Bytes the scanner puts before each scan; stripped when a scan starts with them.
    public var prefix: [UInt8]
    /// Bytes the scanner puts after each scan (before the terminator); stripped when a scan ends with them.
    public var suffix: [UInt8]

    public init(terminator: ScanTerminator, interCharacterTimeout: Duration?, maximumLength: Int = 8192,
                prefix: [UInt8] = [], suffix: [UInt8] = []) {
        self.terminator = terminator
        self.interCharacterTimeout = interCharacterTimeout
        self.maximumLength = maximumLength
        self.prefix = prefix
        self.suffix = suffix
    }
}

extension ScanFraming {
    /// `bytes` without the configured prefix and suffix (each only where present).
    func stripped(_ bytes: [UInt8]) -> [UInt8] {
        var slice = bytes[...]
        if !prefix.isEmpty, slice.starts(with: prefix) { slice = slice.dropFirst(prefix.count) }
        if !suffix.isEmpty, slice.count >= suffix.count, slice.suffix(suffix.count).elementsEqual(suffix) {
            slice = slice.dropLast(suffix.count)
        }
        return Array(slice)
    }
}

/// Splits a byte stream into scans. Pure state machine; the caller supplies time.
public struct ScanFramer: Sendable {
    public let framing: ScanFraming
    private var buffer: [UInt8] = []
    private var droppedBytes = 0

    public init(framing: ScanFraming) { self.framing = framing }

    /// A finished frame.
    public enum Frame: Equatable, Sendable {
        case scan([UInt8])
        case incomplete([UInt8])
        case overlong(byteCount: Int)
    }

    /// Whether a partial scan is waiting (and so a timeout is due).
    public var hasPartialScan: Bool { !buffer.isEmpty || droppedBytes > 0 }

    /// Feeds received bytes and returns the frames they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Frame] {
        var frames: [Frame] = []
        // Two bytes at most: compared directly, not hashed into a set per byte.
        let terminators = Array(framing.terminator.bytes)
        let first = terminators.first, second = terminators.dropFirst().first
        for byte in bytes {
            if byte == first || byte == second {
                if let frame = finish(complete: true) { frames.append(frame) }
            } else if droppedBytes > 0 || buffer.count >= framing.maximumLength {
                if droppedBytes == 0 { droppedBytes = buffer.count; buffer.removeAll() }
                droppedBytes += 1
            } else {
                buffer.append(byte)
            }
        }
        return frames
    }

    /// Called when the inter-character timeout expires: ends the partial scan, if any.
    /// Without a terminator this is how every scan ends; with one, the scan was cut off.
    public mutating func timeout() -> Frame? {
        finish(complete: framing.terminator == .none)
    }

    private mutating func finish(complete: Bool) -> Frame? {
        defer { buffer.removeAll(keepingCapacity: true); droppedBytes = 0 }
        if droppedBytes > 0 { return .overlong(byteCount: droppedBytes) }
        let trimmed = Self.trimmed(framing.stripped(Self.trimmed(buffer)))
        if trimmed.isEmpty { return nil }
        return complete ? .scan(trimmed) : .incomplete(trimmed)
    }

    /// Drops leading and trailing spaces, tabs, CR and LF.
    static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        let blank: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
        guard let first = bytes.firstIndex(where: { !blank.contains($0) }),
              let last = bytes.lastIndex(where: { !blank.contains($0) }) else { return [] }
        return Array(bytes[first...last])
    }
}

/// Suppresses the same scan from the same device inside a short window (a double trigger).
public struct DuplicateFilter: Sendable {
    public let window: Duration
    private var last: (bytes: [UInt8], at: ContinuousClock.Instant)?

    public init(window: Duration) { self.window = window }

    /// Whether a scan should go through; a repeat of the last scan inside the window does not.
    public mutating func admit(_ bytes: [UInt8], at now: ContinuousClock.Instant) -> Bool {
        if let last, last.bytes == bytes, now - last.at < window {
            return false
        }
        last = (bytes, now)
        return true
    }
}
