import Foundation

/// Encodes a ``ReceiptDocument`` to ESC/POS bytes for one printer profile.
///
/// Text the profile's font cannot print (a 4-byte GB18030 character, any Chinese on a printer
/// without a Chinese font) is rendered from the bitmap font and sent as an image, line by line.
public struct EscPosEncoder: Sendable {
    public let profile: PrinterProfile
    /// The font for text the printer cannot print itself; without one such characters become `?`.
    public let font: BitmapFont?

    public init(profile: PrinterProfile, font: BitmapFont? = BitmapFont.unifont) {
        self.profile = profile
        self.font = font
    }

    /// The bytes of `document`, starting with `ESC @`.
    public func encode(_ document: ReceiptDocument) -> [UInt8] {
        var out: [UInt8] = [0x1B, 0x40]
        var wideMode = false
        // Many Chinese printers start in 2-byte mode; leave it so ASCII prints as ASCII.
        if profile.chineseMode == .kanji { out += [0x1C, 0x2E] }
        func leaveWideMode() { out += Self.leaving(&wideMode) }
        for element in document.elements {
            switch element {
            case let .text(text, alignment, bold, large):
                out += line(text, alignment: alignment, bold: bold, large: large, wideMode: &wideMode)
            case let .columns(label, value):
                out += line(columns(label, value), alignment: .left, bold: false, large: false, wideMode: &wideMode)
            case .rule:
                out += line(String(repeating: "-", count: profile.charactersPerLine), alignment: .left, bold: false,
                            large: false, wideMode: &wideMode)
            case let .qr(payload, moduleSize):
                leaveWideMode()
                if profile.nativeQR {
                    out += [0x1B, 0x61, ReceiptDocument.Alignment.center.rawValue]
                    out += Self.nativeQR(payload, moduleSize: moduleSize)
                    out += [0x1B, 0x61, 0x00]
                } else {
                    out += bitmapQR(payload, moduleSize: moduleSize)
                }
            case let .bitmapQR(payload, moduleSize):
                leaveWideMode()
                out += bitmapQR(payload, moduleSize: moduleSize)
            case let .bitmapText(text, alignment):
                leaveWideMode()
                out += bitmapLine(text, alignment: alignment, large: false) ?? line(text, alignment: alignment, bold: false,
                                                                                   large: false, wideMode: &wideMode)
            case let .image(image, alignment):
                leaveWideMode()
                out += raster(image, alignment: alignment)
            case let .feed(lines):
                out += [0x1B, 0x64, lines]
            case .cut:
                out += Hex.bytes(profile.cut)
            case let .drawer(pin):
                if profile.drawerPins.contains(Int(pin)) { out += [0x1B, 0x70, pin, 0x19, 0x19] }
            }
        }
        leaveWideMode()
        return out
    }

    /// `label ... value` on one line of the profile's width; the label is shortened if needed.
    func columns(_ label: String, _ value: String) -> String {
        let width = profile.charactersPerLine
        let valueWidth = TextWidth.columns(value)
        let label = TextWidth.truncated(label, to: max(1, width - valueWidth - 1))
        let gap = max(1, width - TextWidth.columns(label) - valueWidth)
        return label + String(repeating: " ", count: gap) + value
    }

    private func line(_ text: String, alignment: ReceiptDocument.Alignment, bold: Bool, large: Bool,
                      wideMode: inout Bool) -> [UInt8] {
        let limit = large ? profile.charactersPerLine / 2 : profile.charactersPerLine
        let text = TextWidth.truncated(text, to: limit)
        let runs = GB18030Text.runs(text, chinese: profile.chineseMode != .none)
        if runs.contains(where: { if case .unencodable = $0 { true } else { false } }),
           let image = bitmapLine(text, alignment: alignment, large: large) {
            return Self.leaving(&wideMode) + image
        }
        var out: [UInt8] = []
        if alignment != .left { out += [0x1B, 0x61, alignment.rawValue] }
        if bold { out += [0x1B, 0x45, 0x01] }
        if large { out += [0x1D, 0x21, 0x11] + (profile.chineseMode == .kanji ? [0x1C, 0x21, 0x0C] : []) }
        for run in runs {
            switch run {
            case .ascii(let bytes):
                out += Self.leaving(&wideMode)
                out += bytes
            case .wide(let bytes):
                if profile.chineseMode == .kanji, !wideMode { out += [0x1C, 0x26]; wideMode = true }
                out += bytes
            case .unencodable(let count):
                out += Self.leaving(&wideMode)
                out += [UInt8](repeating: UInt8(ascii: "?"), count: count)
            }
        }
        out.append(0x0A)
        if large { out += [0x1D, 0x21, 0x00] + (profile.chineseMode == .kanji ? [0x1C, 0x21, 0x00] : []) }
        if bold { out += [0x1B, 0x45, 0x00] }
        if alignment != .left { out += [0x1B, 0x61, 0x00] }
        return out
    }

    /// `FS .` when the printer is in 2-byte mode (and notes that it left it), else nothing.
    private static func leaving(_ wideMode: inout Bool) -> [UInt8] {
        guard wideMode else { return [] }
        wideMode = false
        return [0x1C, 0x2E]
    }

    /// One line of text as an image from the bitmap font; `nil` without a font.
    private func bitmapLine(_ text: String, alignment: ReceiptDocument.Alignment, large: Bool) -> [UInt8]? {
        guard let font else { return nil }
        let rendered = font.render(text, cellHeight: large ? 48 : 24)
        return raster(rendered, alignment: alignment)
    }

    private func bitmapQR(_ payload: String, moduleSize: UInt8) -> [UInt8] {
        guard let matrix = QRMatrix(payload) else { return Array("[QR too long]\n".utf8) }
        var size = max(1, Int(moduleSize))
        while size > 1, (matrix.size + 8) * size > profile.paperWidthDots { size -= 1 }
        return raster(matrix.image(moduleSize: size), alignment: .center)
    }

    /// An image placed on a paper-wide canvas and sent as `GS v 0` bands of ``PrinterProfile/bandRows`` rows.
    func raster(_ image: RasterImage, alignment: ReceiptDocument.Alignment) -> [UInt8] {
        let width = profile.paperWidthDots
        let canvas = image.placed(onWidth: width, alignment: alignment)
        var out: [UInt8] = []
        let bytesPerRow = (width + 7) / 8
        for start in stride(from: 0, to: canvas.height, by: profile.bandRows) {
            let band = canvas.rows(start..<min(canvas.height, start + profile.bandRows))
            out += [0x1D, 0x76, 0x30, 0x00, UInt8(bytesPerRow & 0xFF), UInt8(bytesPerRow >> 8),
                    UInt8(band.height & 0xFF), UInt8(band.height >> 8)]
            out += band.packedRows
        }
        return out
    }

    /// `GS ( k`: model 2, module size, error correction M, store the UTF-8 payload, print.
    static func nativeQR(_ payload: String, moduleSize: UInt8) -> [UInt8] {
        let data = Array(payload.utf8)
        let length = data.count + 3
        return [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00]
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, min(max(moduleSize, 1), 16)]
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]
            + [0x1D, 0x28, 0x6B, UInt8(length & 0xFF), UInt8(length >> 8), 0x31, 0x50, 0x30] + data
            + [0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]
            + [0x0A]
    }
}

/// Hex strings of profile files (`1D 56 41 10`, spaces allowed).
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        let digits = Array(text.replacingOccurrences(of: " ", with: "").utf8)
        guard digits.count % 2 == 0 else { return [] }
        return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }
}
