import CounterCore
import CounterProfiles
import Foundation

/// How a scanner model is found and read, from a JSON file under drivers/scanners/FAMILY/
/// (schema: docs/scanners.md and drivers/scanners/README.md).
public struct ScannerProfile: Codable, Sendable, Equatable, DriverProfile {
    /// How a scanner talks to the host.
    public enum Transport: String, Codable, Sendable, CaseIterable {
        /// Keyboard emulation: keys through evdev, taken exclusively.
        case keyboard
        /// HID POS (usage page 0x8C): reports through hidraw.
        case hidPOS = "hid_pos"
        /// USB serial (CDC-ACM): bytes through a tty.
        case serial
    }

    /// Which USB devices the profile is for: by VID:PID, or (generic profiles) by words in the product string.
    public struct Match: Codable, Sendable, Equatable {
        /// Four hex digits.
        public var vendorID: String?
        public var productID: String?
        /// Read only this interface's nodes; `nil` reads every interface of the right kind.
        public var interface: Int?
        /// Case-insensitive words of which the product or manufacturer string must contain one.
        public var productContains: [String]?

        enum CodingKeys: String, CodingKey {
            case interface
            case vendorID = "vendor_id", productID = "product_id", productContains = "product_contains"
        }

        public init(vendorID: String? = nil, productID: String? = nil, interface: Int? = nil, productContains: [String]? = nil) {
            self.vendorID = vendorID
            self.productID = productID
            self.interface = interface
            self.productContains = productContains
        }
    }

    /// Framing: how one scan ends and what to strip from it.
    public struct Framing: Codable, Sendable, Equatable {
        public var terminator: ScanTerminator
        /// Text the scanner puts before each scan (stripped when present).
        public var prefix: String?
        /// Text the scanner puts after each scan, before the terminator (stripped when present).
        public var suffix: String?
        public var interCharacterTimeoutMS: Int

        enum CodingKeys: String, CodingKey {
            case terminator, prefix, suffix
            case interCharacterTimeoutMS = "inter_character_timeout_ms"
        }

        public init(terminator: ScanTerminator, prefix: String? = nil, suffix: String? = nil, interCharacterTimeoutMS: Int) {
            self.terminator = terminator
            self.prefix = prefix
            self.suffix = suffix
            self.interCharacterTimeoutMS = interCharacterTimeoutMS
        }

        /// The framer's settings.
        public var scanFraming: ScanFraming {
            ScanFraming(terminator: terminator, interCharacterTimeout: .milliseconds(interCharacterTimeoutMS),
                        prefix: Array((prefix ?? "").utf8), suffix: Array((suffix ?? "").utf8))
        }
    }

    public var id: String
    public var name: String
    /// The folder under drivers/scanners/ (`honeywell`, `newland`, `generic`, …).
    public var family: String
    public var match: Match
    public var transport: Transport
    public var framing: Framing
    /// The same scan from the same device inside this window is dropped (a double trigger); 0 keeps all.
    public var duplicateWindowMS: Int
    /// XKB layout name for keyboard scanners (`us`, `de`, `fr`, …); the scanner's own keyboard-country setting.
    public var keyboardLayout: String?
    /// Line speed for serial scanners (CDC-ACM ignores it).
    public var baud: Int?
    /// Report layout for HID POS scanners; the standard layout when absent.
    public var hidPOS: HIDPOSReportFormat?
    /// Where the ids and settings come from; `verified` when the ids were seen on a real device.
    public var provenance: ProfileProvenance

    enum CodingKeys: String, CodingKey {
        case id, name, family, match, transport, framing, baud, provenance
        case duplicateWindowMS = "duplicate_window_ms", keyboardLayout = "keyboard_layout", hidPOS = "hid_pos"
    }

    /// The provenance keys of profiles written before ``ProfileProvenance``, still read from local directories.
    enum LegacyCodingKeys: String, CodingKey {
        case source
        case idsVerified = "ids_verified"
    }

    public init(id: String, name: String, family: String, match: Match, transport: Transport, framing: Framing,
                duplicateWindowMS: Int = 1500, keyboardLayout: String? = nil, baud: Int? = nil,
                hidPOS: HIDPOSReportFormat? = nil, provenance: ProfileProvenance = ProfileProvenance()) {
        self.id = id
        self.name = name
        self.family = family
        self.match = match
        self.transport = transport
        self.framing = framing
        self.duplicateWindowMS = duplicateWindowMS
        self.keyboardLayout = keyboardLayout
        self.baud = baud
        self.hidPOS = hidPOS
        self.provenance = provenance
    }

    /// Reads a profile file; one without `provenance` may carry the older `ids_verified` and `source` instead.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        name = try container.decode(String.self, forKey: .name)
        family = try container.decode(String.self, forKey: .family)
        match = try container.decode(Match.self, forKey: .match)
        transport = try container.decode(Transport.self, forKey: .transport)
        framing = try container.decode(Framing.self, forKey: .framing)
        duplicateWindowMS = try container.decode(Int.self, forKey: .duplicateWindowMS)
        keyboardLayout = try container.decodeIfPresent(String.self, forKey: .keyboardLayout)
        baud = try container.decodeIfPresent(Int.self, forKey: .baud)
        hidPOS = try container.decodeIfPresent(HIDPOSReportFormat.self, forKey: .hidPOS)
        let legacy = try decoder.container(keyedBy: LegacyCodingKeys.self)
        if container.contains(.provenance) || !legacy.contains(.idsVerified) {
            provenance = try container.decode(ProfileProvenance.self, forKey: .provenance)
        } else {
            provenance = ProfileProvenance(source: try legacy.decode(String.self, forKey: .source),
                                           verified: try legacy.decode(Bool.self, forKey: .idsVerified))
        }
    }

    /// `nil` when duplicates are kept.
    public var duplicateWindow: Duration? { duplicateWindowMS > 0 ? .milliseconds(duplicateWindowMS) : nil }

    /// What is wrong with the profile's values, if anything (the loader reports it with the file name).
    public func problems() -> [String] {
        var problems: [String] = []
        for (key, value) in [("match.vendor_id", match.vendorID), ("match.product_id", match.productID)] {
            if let value, value.count != 4 || UInt16(value, radix: 16) == nil {
                problems.append("\(key) \"\(value)\" is not four hex digits")
            }
        }
        if (match.vendorID == nil) != (match.productID == nil) {
            problems.append("match needs both vendor_id and product_id, or neither")
        }
        if match.vendorID == nil, (match.productContains ?? []).isEmpty {
            problems.append("match needs vendor_id and product_id, or product_contains")
        }
        if framing.interCharacterTimeoutMS < 10 || framing.interCharacterTimeoutMS > 5000 {
            problems.append("framing.inter_character_timeout_ms \(framing.interCharacterTimeoutMS) is outside 10…5000")
        }
        if duplicateWindowMS < 0 { problems.append("duplicate_window_ms must not be negative") }
        if let baud, SerialPort.speed(baud) == nil {
            problems.append("baud \(baud) is not one of \(SerialPort.supportedBaudRates.map(String.init).joined(separator: ", "))")
        }
        if let hidPOS { problems += hidPOS.problems().map { "hid_pos.\($0)" } }
        return problems + udevFieldProblems()
    }

    /// Characters a `product_contains` word may not hold: they would end the udev string (`"`, `\`), or be read
    /// by udev as a glob (`*`, `?`, `[`, `]`) or as its `|` alternative, or as a substitution (`$`, `%`).
    public static let forbiddenWordCharacters: Set<Character> = ["\"", "\\", "*", "?", "[", "]", "|", "$", "%"]

    /// What makes the fields that go into the generated udev rules unsafe there (docs/scanners.md, "Profile
    /// fields in the udev rules"). The rules run as root once installed, so a profile is refused rather than
    /// escaped: `id` (a `SYMLINK+=` path) is `[a-z0-9][a-z0-9._-]{0,63}`; `name` (a `#` comment) is at most
    /// 200 characters without control characters, line separators, `"` or `\`; each `product_contains` word
    /// (a quoted glob) is 1…64 characters, not blank, without those nor ``forbiddenWordCharacters``, and
    /// there are at most 32 words.
    public func udevFieldProblems() -> [String] {
        var problems: [String] = []
        if !ProfileID.isValid(id) {
            problems.append("id \(Self.quoted(id)) must match [a-z0-9][a-z0-9._-]{0,63}")
        }
        if name.count > 200 || name.unicodeScalars.contains(where: Self.breaksALine) || name.contains("\"") || name.contains("\\") {
            problems.append("name \(Self.quoted(name)) must be at most 200 characters without control characters, quotes or backslashes")
        }
        let words = match.productContains ?? []
        if words.count > 32 { problems.append("match.product_contains has \(words.count) words (at most 32)") }
        for word in words where word.isEmpty || word.count > 64 || word.allSatisfy(\.isWhitespace)
            || word.unicodeScalars.contains(where: Self.breaksALine) || word.contains(where: Self.forbiddenWordCharacters.contains) {
            problems.append("match.product_contains word \(Self.quoted(word)) must be 1 to 64 characters, not blank, "
                            + "without control characters or any of \" \\ * ? [ ] | $ %")
        }
        return problems
    }

    /// A control character (C0, DEL, C1) or a Unicode line or paragraph separator.
    static func breaksALine(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .lineSeparator
            || scalar.properties.generalCategory == .paragraphSeparator
    }

    /// A value for a problem message, on one line whatever it holds, and not too long.
    static func quoted(_ value: String) -> String {
        let shown = value.count > 40 ? String(value.prefix(40)) + "…" : value
        return "\"" + shown.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\""
    }

    /// How well the profile fits `device`: 2 for its VID:PID, 1 for a product word, `nil` for no match.
    public func matchStrength(vendorProduct: String, strings: [String]) -> Int? {
        if let vendorID = match.vendorID, let productID = match.productID {
            return "\(vendorID.lowercased()):\(productID.lowercased())" == vendorProduct ? 2 : nil
        }
        let haystack = strings.joined(separator: " ").lowercased()
        return (match.productContains ?? []).contains { haystack.contains($0.lowercased()) } ? 1 : nil
    }
}
