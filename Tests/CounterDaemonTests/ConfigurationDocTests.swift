@testable import CounterDaemon
import Foundation
import Testing

/// docs/configuration.md and the section parsers must agree key for key: every key a parser declares is documented
/// with its type, every documented key is one a parser knows, and the list of overridable keys is the parsers' list.
@Suite struct ConfigurationDocTests {
    /// A key as the doc has it: in a `| key | type | …` table row, or as a `### \`key\` (type, …)` heading.
    struct DocumentedKey: Equatable {
        var key: String
        var type: String
    }

    static let documentURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("docs/configuration.md")

    /// The "## Keys" chapter of the doc: its key tables and its key headings.
    static func documentedKeys() throws -> [DocumentedKey] {
        let text = try String(contentsOf: documentURL, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "## Keys") else { return [] }
        let chapter = lines[(start + 1)...].prefix { !$0.hasPrefix("## ") }
        var keys: [DocumentedKey] = []
        var inKeyTable = false
        for line in chapter {
            if line.hasPrefix("### `"), let close = line.dropFirst(5).firstIndex(of: "`") {
                let key = String(line.dropFirst(5)[..<close])
                let rest = line[line.index(after: close)...]
                let type = rest.drop { $0 != "(" }.dropFirst().prefix { $0 != "," && $0 != ")" }
                keys.append(DocumentedKey(key: key, type: String(type)))
                continue
            }
            guard line.hasPrefix("|") else { inKeyTable = false; continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if cells.first == "key", cells.dropFirst().first == "type" { inKeyTable = true; continue }
            guard inKeyTable, cells.count > 1, cells[0].hasPrefix("`"), cells[0].hasSuffix("`") else { continue }
            keys.append(DocumentedKey(key: String(cells[0].dropFirst().dropLast()), type: cells[1]))
        }
        return keys
    }

    @Test func everyKeyTheParsersKnowIsDocumentedWithItsType() throws {
        let documented = try Self.documentedKeys()
        #expect(!documented.isEmpty, "no key tables found in \(Self.documentURL.path)")
        for (path, kind) in ConfigKey.paths(of: DaemonConfiguration.configKeys) {
            let entries = documented.filter { $0.key == path }
            #expect(entries.count == 1, "\(path): documented \(entries.count) times in docs/configuration.md")
            if let entry = entries.first {
                #expect(entry.type == kind.documentedType, "\(path): the doc says \(entry.type), the parser reads \(kind.documentedType)")
            }
        }
    }

    @Test func everyDocumentedKeyIsOneTheParsersKnow() throws {
        let known = Set(ConfigKey.paths(of: DaemonConfiguration.configKeys).map(\.path))
        let unknown = try Self.documentedKeys().map(\.key).filter { !known.contains($0) }
        #expect(unknown.isEmpty, "docs/configuration.md documents keys no parser reads: \(unknown)")
    }

    @Test func theDocListsExactlyTheOverridableKeys() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let start = try #require(text.range(of: "Every single-valued key can be overridden:"))
        let end = try #require(text.range(of: "The `scanners` list", range: start.upperBound..<text.endIndex))
        let listed = text[start.upperBound..<end.lowerBound].split(separator: "`").enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(Set(listed) == Set(ConfigOverrides.keys.keys))
        #expect(listed.count == ConfigOverrides.keys.count, "\(listed)")
    }

    @Test func theOverridableKeysAreTheSingleValuedOnes() {
        #expect(ConfigOverrides.keys["printer.kick_drawer"] == true)
        #expect(ConfigOverrides.keys["usb_scanners.rescan_interval"] == false)
        #expect(ConfigOverrides.keys["scanners"] == nil)
        #expect(ConfigOverrides.keys["printer"] == nil)
        #expect(!ConfigOverrides.keys.keys.contains { $0.hasPrefix("scanners") })
    }
}
