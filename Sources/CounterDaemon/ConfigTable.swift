import CounterCore
import Foundation

/// One key a configuration section reads: its name and what it holds. Each section declares its keys once,
/// beside its parser (`PrinterConfiguration.configKeys`, …); ``ConfigTable/finish(_:)`` takes its list of known
/// keys from that declaration, ``ConfigOverrides/keys`` the keys an override may set, and a test checks
/// docs/configuration.md against it.
struct ConfigKey: Sendable {
    /// What a key holds: how the file writes it and, for an override, how its text is read.
    enum Kind: Sendable, Equatable {
        case text, wholeNumber, trueFalse, duration
        /// A section of keys (`printer:`).
        case section([ConfigKey])
        /// A list of sections (`scanners:`); its entries cannot be overridden.
        case list([ConfigKey])

        static func == (lhs: Kind, rhs: Kind) -> Bool {
            switch (lhs, rhs) {
            case (.text, .text), (.wholeNumber, .wholeNumber), (.trueFalse, .trueFalse), (.duration, .duration),
                 (.section, .section), (.list, .list): true
            default: false
            }
        }

        /// The word the key tables of docs/configuration.md use for this kind.
        var documentedType: String {
            switch self {
            case .text: "text"
            case .wholeNumber: "whole number"
            case .trueFalse: "true/false"
            case .duration: "duration"
            case .section: "section"
            case .list: "list"
            }
        }
    }

    let name: String
    let kind: Kind

    static func text(_ name: String) -> ConfigKey { ConfigKey(name: name, kind: .text) }
    static func wholeNumber(_ name: String) -> ConfigKey { ConfigKey(name: name, kind: .wholeNumber) }
    static func trueFalse(_ name: String) -> ConfigKey { ConfigKey(name: name, kind: .trueFalse) }
    static func duration(_ name: String) -> ConfigKey { ConfigKey(name: name, kind: .duration) }
    static func section(_ name: String, _ keys: [ConfigKey]) -> ConfigKey { ConfigKey(name: name, kind: .section(keys)) }
    static func list(_ name: String, _ keys: [ConfigKey]) -> ConfigKey { ConfigKey(name: name, kind: .list(keys)) }

    /// Every key below `keys`, depth first, as dotted paths (`printer.profile`; a list's entries as `scanners[].name`),
    /// sections and lists included, with their kinds.
    static func paths(of keys: [ConfigKey], prefix: String = "") -> [(path: String, kind: Kind)] {
        keys.flatMap { key -> [(path: String, kind: Kind)] in
            let path = prefix + key.name
            switch key.kind {
            case .section(let inner): return [(path, key.kind)] + paths(of: inner, prefix: path + ".")
            case .list(let inner): return [(path, key.kind)] + paths(of: inner, prefix: path + "[].")
            default: return [(path, key.kind)]
            }
        }
    }
}

/// A mapping from a parsed configuration file, read key by key with precise errors.
/// Keys that are never read are reported as unknown by ``finish(_:)`` (typos must not pass silently).
struct ConfigTable {
    let path: String
    private let values: [String: Any]
    /// The keys read so far, with the kind each was read as (checked against the declaration in ``finish(_:)``).
    private var read: [String: ConfigKey.Kind] = [:]

    init(path: String, values: [String: Any]) {
        self.path = path
        self.values = values
    }

    func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private mutating func raw(_ name: String, _ kind: ConfigKey.Kind) -> Any? {
        read[name] = kind
        guard let value = values[name], !(value is NSNull) else { return nil }
        return value
    }

    mutating func string(_ name: String, fix: String) throws -> String? {
        guard let value = raw(name, .text) else { return nil }
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        throw ConfigError(key: key(name), value: "\(value)", problem: "must be text", fix: fix)
    }

    mutating func int(_ name: String, fix: String) throws -> Int? {
        guard let value = raw(name, .wholeNumber) else { return nil }
        if let number = value as? Int { return number }
        if let text = value as? String, let number = Int(text) { return number }
        throw ConfigError(key: key(name), value: "\(value)", problem: "must be a whole number", fix: fix)
    }

    mutating func bool(_ name: String) throws -> Bool? {
        guard let value = raw(name, .trueFalse) else { return nil }
        if let flag = value as? Bool { return flag }
        throw ConfigError(key: key(name), value: "\(value)", problem: "must be true or false", fix: "write true or false")
    }

    mutating func duration(_ name: String, fix: String, within range: ClosedRange<Duration>? = nil,
                           rangeFix: String = "") throws -> Duration? {
        guard let value = raw(name, .duration) else { return nil }
        let text = (value as? String) ?? "\(value)"
        guard let duration = DurationParser.parse(text) else {
            throw ConfigError(key: key(name), value: text, problem: "is not a duration",
                              fix: "write a number with a unit, such as 300ms, 1.5s, 10m, 2h or 90d; \(fix)")
        }
        if let range, !range.contains(duration) {
            throw ConfigError(key: key(name), value: text,
                              problem: "must be from \(DurationParser.format(range.lowerBound)) to \(DurationParser.format(range.upperBound))",
                              fix: rangeFix)
        }
        return duration
    }

    mutating func table(_ name: String) throws -> ConfigTable? {
        guard let value = raw(name, .section([])) else { return nil }
        guard let mapping = value as? [String: Any] else {
            throw ConfigError(key: key(name), problem: "must be a section of keys",
                              fix: "indent the keys of \(key(name)) under it")
        }
        return ConfigTable(path: key(name), values: mapping)
    }

    mutating func list(_ name: String) throws -> [ConfigTable]? {
        guard let value = raw(name, .list([])) else { return nil }
        guard let items = value as? [Any] else {
            throw ConfigError(key: key(name), problem: "must be a list", fix: "start each entry of \(key(name)) with \"- \"")
        }
        return try items.enumerated().map { index, item in
            guard let mapping = item as? [String: Any] else {
                throw ConfigError(key: "\(key(name))[\(index)]", problem: "must be a section of keys",
                                  fix: "write each entry as keys such as name: and type:")
            }
            return ConfigTable(path: "\(key(name))[\(index)]", values: mapping)
        }
    }

    /// Fails on the first key that was never read, suggesting the closest of the section's declared `keys`.
    /// In debug builds it also traps on a key read that the declaration does not have, or has with another kind,
    /// so the declaration (and with it the override list and the documentation test) cannot drift from the parser.
    func finish(_ keys: [ConfigKey]) throws {
        assert(read.allSatisfy { name, kind in keys.contains { $0.name == name && $0.kind == kind } },
               "\(path.isEmpty ? "the root" : path) reads keys its declaration lacks: \(read.keys.sorted()) vs \(keys.map(\.name))")
        try finish(known: keys.map(\.name))
    }

    /// Fails on the first key that was never read, suggesting the closest known key.
    private func finish(known: [String]) throws {
        for name in values.keys.sorted() where read[name] == nil {
            let suggestion = known.min { editDistance($0, name) < editDistance($1, name) }
            let fix = suggestion.map { editDistance($0, name) <= 3 ? "did you mean \"\($0)\"?" : nil } ?? nil
            throw ConfigError(key: key(name), problem: "is not a known key",
                              fix: fix ?? "remove it; the known keys here are \(known.joined(separator: ", "))")
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}

/// Parses durations such as `300ms`, `1.5s`, `10m`, `2h` (a bare number means seconds).
enum DurationParser {
    /// The longest duration a file may set: one year. Longer values are refused as malformed, rather than
    /// overflowing the conversion to milliseconds (`1e300s` must not trap the process).
    static let maximumSeconds: Double = 366 * 86_400

    static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var number = Substring(trimmed)
        var scale = 1.0
        if let (suffix, unitScale) = units.first(where: { trimmed.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            scale = unitScale
        }
        guard let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let seconds = value * scale
        guard seconds <= maximumSeconds else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Formats a duration the way a person writes it in the file (`10ms`, `10s`, `24h`).
    static func format(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        // A day or less reads in hours (24h); longer whole days in days (90d).
        if millis % 86_400_000 == 0, millis > 86_400_000 { return "\(millis / 86_400_000)d" }
        if millis % 3_600_000 == 0, millis > 0 { return "\(millis / 3_600_000)h" }
        if millis % 60_000 == 0, millis > 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        return "\(millis)ms"
    }
}
