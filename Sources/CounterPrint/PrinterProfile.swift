import CounterProfiles
import Foundation

/// What a receipt printer model can do, read from a JSON file under drivers/printers/FAMILY/
/// (schema: drivers/printers/README.md).
public struct PrinterProfile: Codable, Sendable, Equatable, DriverProfile {
    /// How the printer takes Chinese text.
    public enum ChineseMode: String, Codable, Sendable {
        /// `FS &` enters 2-byte mode, `FS .` leaves it (most Chinese-market printers).
        case kanji
        /// Always in 2-byte mode; no switching commands.
        case always
        /// No Chinese font: Chinese text cannot be printed as text.
        case none
    }

    public var id: String
    public var name: String
    public var paperWidthMM: Int
    public var paperWidthDots: Int
    /// Characters per line in the normal font (Chinese characters take two).
    public var charactersPerLine: Int
    public var chineseMode: ChineseMode
    /// The 2-byte encoding of the Chinese font (`GB18030` 2-byte area, i.e. GBK).
    public var chineseEncoding: String
    public var nativeQR: Bool
    /// The cut command as hex bytes, e.g. `1D5641 10` (feed and full cut); empty for no cutter.
    public var cut: String
    /// Drawer pins that may be kicked (0 = pin 2, 1 = pin 5).
    public var drawerPins: [Int]
    public var statusSupported: Bool
    /// Rows per `GS v 0` band for images (default 24): small bands keep slow printers' buffers from
    /// overflowing, which makes them read image bytes as commands.
    public var imageBandRows: Int?
    /// Where the values come from, and per field (`fields`) `manual: …` (a vendor document) or `unverified: …`
    /// (inferred, not tried on hardware).
    public var provenance: ProfileProvenance

    enum CodingKeys: String, CodingKey {
        case id, name, cut, provenance
        case paperWidthMM = "paper_width_mm", paperWidthDots = "paper_width_dots"
        case charactersPerLine = "characters_per_line", chineseMode = "chinese_mode", chineseEncoding = "chinese_encoding"
        case nativeQR = "native_qr", drawerPins = "drawer_pins", statusSupported = "status_supported"
        case imageBandRows = "image_band_rows"
    }

    /// Reads a profile file and checks its numbers, so that no file can make the encoder trap or allocate without
    /// bound: paper 8 to 2048 dots and 8 to 256 characters a line, drawer pins 0 and 1 only.
    public static func load(from url: URL) throws -> PrinterProfile {
        let profile = try JSONDecoder().decode(PrinterProfile.self, from: Data(contentsOf: url))
        try profile.validate()
        return profile
    }

    /// What ``validate()`` finds wrong, for the profile loader (``ProfileCatalog``).
    public func problems() -> [String] {
        do {
            try validate()
            return []
        } catch {
            return ["\(error)"]
        }
    }

    /// Why a profile's numbers cannot be used.
    public struct InvalidProfile: Error, CustomStringConvertible {
        public let description: String
    }

    /// Checks the ranges ``load(from:)`` promises.
    public func validate() throws {
        guard (8...2048).contains(paperWidthDots) else {
            throw InvalidProfile(description: "paper_width_dots must be from 8 to 2048 (it is \(paperWidthDots))")
        }
        guard (8...256).contains(charactersPerLine) else {
            throw InvalidProfile(description: "characters_per_line must be from 8 to 256 (it is \(charactersPerLine))")
        }
        guard (0...1000).contains(paperWidthMM) else {
            throw InvalidProfile(description: "paper_width_mm must be from 0 to 1000 (it is \(paperWidthMM))")
        }
        guard drawerPins.allSatisfy({ (0...1).contains($0) }) else {
            throw InvalidProfile(description: "drawer_pins may hold only 0 (pin 2) and 1 (pin 5), not \(drawerPins)")
        }
    }

    /// Generic 58 mm ESC/POS printer with a Chinese font (the safe default).
    public static let generic58 = PrinterProfile(
        id: "generic-58", name: "Generic 58 mm ESC/POS", paperWidthMM: 58, paperWidthDots: 384, charactersPerLine: 32,
        chineseMode: .kanji, chineseEncoding: "GB18030", nativeQR: true, cut: "1D564110", drawerPins: [0],
        statusSupported: false, provenance: ProfileProvenance())

    /// Generic 80 mm ESC/POS printer with a Chinese font.
    public static let generic80 = PrinterProfile(
        id: "generic-80", name: "Generic 80 mm ESC/POS", paperWidthMM: 80, paperWidthDots: 576, charactersPerLine: 48,
        chineseMode: .kanji, chineseEncoding: "GB18030", nativeQR: true, cut: "1D564110", drawerPins: [0, 1],
        statusSupported: false, provenance: ProfileProvenance())

    /// Rows per image band, at least 1 and at most 255.
    public var bandRows: Int { min(255, max(1, imageBandRows ?? 24)) }
}
