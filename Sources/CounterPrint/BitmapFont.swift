import Foundation

/// A bitmap font in GNU Unifont's `.hex` format (`0041:0000000018242442427E424242420000`): 16 dots
/// high, 8 or 16 wide. Renders text the printer's own font cannot, as an image.
public final class BitmapFont: Sendable {
    /// Where Debian's `unifont` package puts the font.
    public static let unifontPath = "/usr/share/unifont/unifont.hex"

    /// The installed Unifont, read once; `nil` when the package is not installed.
    public static let unifont: BitmapFont? = try? BitmapFont(contentsOfFile: unifontPath)

    public let glyphHeight = 16
    private let glyphs: [UInt32: [UInt8]]

    /// Parses `.hex` text; lines that are not `CODEPOINT:BITS` with 32 or 64 hex digits are skipped.
    public init(hex text: String) {
        var glyphs: [UInt32: [UInt8]] = [:]
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")),
                  let code = UInt32(String(decoding: line[line.startIndex..<colon], as: UTF8.self), radix: 16) else { continue }
            let digits = line[line.index(after: colon)...].filter { $0 != UInt8(ascii: "\r") }
            guard digits.count == 32 || digits.count == 64 else { continue }
            let bytes = stride(from: digits.startIndex, to: digits.endIndex, by: 2).compactMap { start -> UInt8? in
                UInt8(String(decoding: digits[start..<digits.index(start, offsetBy: 2)], as: UTF8.self), radix: 16)
            }
            if bytes.count == digits.count / 2 { glyphs[code] = bytes }
        }
        self.glyphs = glyphs
    }

    public convenience init(contentsOfFile path: String) throws {
        self.init(hex: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// Whether the font has a glyph for `scalar`.
    public func hasGlyph(_ scalar: Unicode.Scalar) -> Bool { glyphs[scalar.value] != nil }

    /// The glyph of `scalar` (8 or 16 dots wide), or a hollow box when the font has none.
    public func glyph(_ scalar: Unicode.Scalar) -> RasterImage {
        guard let bytes = glyphs[scalar.value] else { return Self.missingGlyph }
        let width = bytes.count == 32 ? 16 : 8
        return RasterImage(width: width, height: glyphHeight, packedRows: bytes)
    }

    /// `text` in one line, each glyph scaled to `cellHeight` (16 dots → 24 matches a printer's 12×24 font).
    public func render(_ text: String, cellHeight: Int = 24) -> RasterImage {
        let glyphs = text.unicodeScalars.map { glyph($0) }
        let scale = Double(cellHeight) / Double(glyphHeight)
        let width = glyphs.reduce(0) { $0 + Int((Double($1.width) * scale).rounded()) }
        var image = RasterImage(width: width, height: cellHeight)
        var x = 0
        for glyph in glyphs {
            let glyphWidth = Int((Double(glyph.width) * scale).rounded())
            for row in 0..<cellHeight {
                for column in 0..<glyphWidth where glyph[Int(Double(column) / scale), Int(Double(row) / scale)] {
                    image[x + column, row] = true
                }
            }
            x += glyphWidth
        }
        return image
    }

    private static let missingGlyph: RasterImage = {
        var box = RasterImage(width: 8, height: 16)
        for y in 2..<14 { box[1, y] = true; box[6, y] = true }
        for x in 1..<7 { box[x, 2] = true; box[x, 13] = true }
        return box
    }()
}
