/// Where a profile's values come from: the one provenance schema of printer and scanner profiles
/// (drivers/printers/README.md, drivers/scanners/README.md).
///
/// ```json
/// "provenance": {
///   "source": "usb.ids 2025.07.26 (hwdata 0.368)",
///   "verified": false,
///   "fields": { "cut": "manual: GS V 65 n" }
/// }
/// ```
///
/// Profiles written before it had other keys, still read from local profile directories: a printer's
/// `"provenance": {FIELD: NOTE}` becomes `fields` (with `source` empty and `verified` false), and a scanner's
/// top-level `"ids_verified"` and `"source"` become `verified` and `source` (``ScannerProfile`` reads those).
public struct ProfileProvenance: Codable, Sendable, Equatable {
    /// Where the values come from as a whole: a vendor document, usb.ids, a device on the bench.
    public var source: String
    /// Whether the profile was tried on a real device (for a scanner: its USB ids were seen on one).
    public var verified: Bool
    /// Notes on single fields, by their JSON key: `manual: …` (a vendor document) or `unverified: …` (inferred).
    public var fields: [String: String]

    /// A provenance; the default says nothing (the built-in generic printer profiles).
    public init(source: String = "", verified: Bool = false, fields: [String: String] = [:]) {
        self.source = source
        self.verified = verified
        self.fields = fields
    }

    enum CodingKeys: String, CodingKey {
        case source, verified, fields
    }

    /// Reads the schema above, or a printer profile's old `{FIELD: NOTE}` map (told apart by its lack of `verified`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.verified) {
            self.init(source: try container.decode(String.self, forKey: .source),
                      verified: try container.decode(Bool.self, forKey: .verified),
                      fields: try container.decodeIfPresent([String: String].self, forKey: .fields) ?? [:])
        } else {
            self.init(fields: try decoder.singleValueContainer().decode([String: String].self))
        }
    }

    /// Whether the provenance says anything at all.
    public var isEmpty: Bool { source.isEmpty && fields.isEmpty }
}
