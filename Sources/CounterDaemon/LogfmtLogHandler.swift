import Foundation
import Logging
import Synchronization

/// One line per event in logfmt (`key=value`), on standard error.
///
/// Under systemd (`JOURNAL_STREAM` set) each line starts with a syslog priority such as `<6>`
/// and carries no timestamp, since journald adds its own.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let journald: Bool
    private static let lock = Mutex(())

    public init(label: String, level: Logger.Level,
                journald: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil) {
        self.label = label
        self.logLevel = level
        self.journald = journald
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = Self.format(level: event.level, message: "\(event.message)", metadata: merged,
                               label: label, journald: journald, now: Date())
        Self.lock.withLock { _ in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Formats one line; public for tests.
    public static func format(level: Logger.Level, message: String, metadata: Logger.Metadata, label: String,
                              journald: Bool, now: Date) -> String {
        var parts: [String] = []
        if journald {
            parts.append("<\(priority(level))>\(label):")
        } else {
            parts.append(now.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            parts.append(level.rawValue)
            parts.append("\(label):")
        }
        parts.append(quoted(message))
        for key in metadata.keys.sorted() {
            parts.append("\(key)=\(quoted("\(metadata[key]!)"))")
        }
        return parts.joined(separator: " ")
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// Quotes a value when it holds spaces, quotes, `=` or control characters.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20
        }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
