import CounterCore
import Foundation

/// The configuration layers above the file: environment variables `COUNTERD_<KEY>` and then
/// `--set KEY=VALUE` flags. Layers apply in order defaults < file < environment < flags, so a flag
/// wins over the environment, which wins over the file.
///
/// Only single values can be overridden (not the `scanners` list). The environment variable of a
/// key is its dotted path upper-cased with `.` as `_`: `log.level` is `COUNTERD_LOG_LEVEL`.
public struct ConfigOverrides: Sendable, Equatable {
    /// One overriding value and where it came from.
    public struct Entry: Sendable, Equatable {
        /// The dotted key, e.g. `log.level`.
        public var key: String
        public var value: String
        /// Where it came from, for messages: `environment variable COUNTERD_LOG_LEVEL` or `--set log.level`.
        public var origin: String
    }

    /// The entries in the order they apply (environment first, then flags).
    public private(set) var entries: [Entry] = []

    /// The keys that can be overridden; `true` marks a true/false key. Derived from the sections' declarations
    /// (``DaemonConfiguration/configKeys``): every single-valued key of the file and of its sections, not the
    /// `scanners` list.
    public static let keys: [String: Bool] = {
        var keys: [String: Bool] = [:]
        for (path, kind) in ConfigKey.paths(of: DaemonConfiguration.configKeys) where !path.contains("[]") {
            switch kind {
            case .section, .list: continue
            default: keys[path] = kind == .trueFalse
            }
        }
        return keys
    }()

    /// The environment variable that overrides a key.
    public static func variable(for key: String) -> String {
        "COUNTERD_" + key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    public init() {}

    /// Reads the overrides from the environment and from `--set` flags.
    /// - Throws: ``ConfigError`` for a flag that is not `KEY=VALUE` or names a key that cannot be overridden.
    public init(environment: [String: String], flags: [String] = []) throws {
        for key in Self.keys.keys.sorted() {
            let variable = Self.variable(for: key)
            if let value = environment[variable] {
                entries.append(Entry(key: key, value: value, origin: "environment variable \(variable)"))
            }
        }
        for flag in flags {
            guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
                throw ConfigError(key: "", value: flag, problem: "is not KEY=VALUE",
                                  fix: "write --set log.level=debug", file: "--set")
            }
            let key = String(flag[..<equals])
            guard Self.keys[key] != nil else {
                let suggestion = Self.keys.keys.min { editDistance($0, key) < editDistance($1, key) }
                let hint = suggestion.map { editDistance($0, key) <= 3 ? "did you mean \"\($0)\"? " : "" } ?? ""
                throw ConfigError(key: key, problem: "cannot be set on the command line",
                                  fix: hint + "the keys are \(Self.keys.keys.sorted().joined(separator: ", "))", file: "--set")
            }
            entries.append(Entry(key: key, value: String(flag[flag.index(after: equals)...]), origin: "--set \(key)"))
        }
    }

    /// Writes every entry into a parsed file's mapping, creating sections as needed.
    /// - Throws: ``ConfigError`` when a true/false key gets another value, or a section is not a mapping.
    func apply(to mapping: inout [String: Any]) throws {
        for entry in entries {
            let value: Any
            if Self.keys[entry.key] == true {
                switch entry.value.lowercased() {
                case "true", "yes", "on", "1": value = true
                case "false", "no", "off", "0": value = false
                default:
                    throw ConfigError(key: entry.key, value: entry.value, problem: "must be true or false",
                                      fix: "write true or false", file: entry.origin)
                }
            } else {
                value = entry.value
            }
            let path = entry.key.split(separator: ".").map(String.init)
            if path.count == 1 {
                mapping[path[0]] = value
                continue
            }
            var section: [String: Any]
            switch mapping[path[0]] {
            case nil, is NSNull: section = [:]
            case let existing as [String: Any]: section = existing
            default:
                throw ConfigError(key: path[0], problem: "must be a section of keys for \(entry.origin) to set \(entry.key)",
                                  fix: "indent the keys of \(path[0]) under it")
            }
            section[path[1]] = value
            mapping[path[0]] = section
        }
    }

    /// Names the layer a failing key came from, when an override set it.
    func attribute(_ error: ConfigError) -> ConfigError {
        guard let entry = entries.last(where: { $0.key == error.key }) else { return error }
        var error = error
        error.file = entry.origin
        return error
    }
}
