import Foundation

/// Encodes a ``ReceiptDocument`` to ESC/POS bytes for one printer profile.
public struct EscPosEncoder: Sendable {
    public let profile: PrinterProfile

    public init(profile: PrinterProfile) { self.profile = profile }

    /// The bytes of `document`, starting with `ESC @`.
    public func encode(_ document: ReceiptDocument) -> [UInt8] {
        var out: [UInt8] = [0x1B, 0x40]
        var wideMode = false
        // Many Chinese printers start in 2-byte mode; leave it so ASCII prints as ASCII.
        if profile.chineseMode == .kanji { out += [0x1C, 0x2E] }
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
                if wideMode { out += [0x1C, 0x2E]; wideMode = false }
                out += [0x1B, 0x61, ReceiptDocument.Alignment.center.rawValue]
                out += profile.nativeQR ? Self.nativeQR(payload, moduleSize: moduleSize) : Array("[QR] \(payload)\n".utf8)
                out += [0x1B, 0x61, 0x00]
            case let .feed(lines):
                out += [0x1B, 0x64, lines]
            case .cut:
                out += Hex.bytes(profile.cut)
            case let .drawer(pin):
                if profile.drawerPins.contains(Int(pin)) { out += [0x1B, 0x70, pin, 0x19, 0x19] }
            }
        }
        if wideMode { out += [0x1C, 0x2E] }
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
        var out: [UInt8] = []
        if alignment != .left { out += [0x1B, 0x61, alignment.rawValue] }
        if bold { out += [0x1B, 0x45, 0x01] }
        if large { out += [0x1D, 0x21, 0x11] + (profile.chineseMode == .kanji ? [0x1C, 0x21, 0x0C] : []) }
        let limit = large ? profile.charactersPerLine / 2 : profile.charactersPerLine
        for run in GB18030Text.runs(TextWidth.truncated(text, to: limit)) {
            switch run {
            case .ascii(let bytes):
                if wideMode { out += [0x1C, 0x2E]; wideMode = false }
                out += bytes
            case .wide(let bytes):
                switch profile.chineseMode {
                case .kanji:
                    if !wideMode { out += [0x1C, 0x26]; wideMode = true }
                    out += bytes
                case .always:
                    out += bytes
                case .none:
                    out += [UInt8](repeating: UInt8(ascii: "?"), count: bytes.count / 2)
                }
            }
        }
        out.append(0x0A)
        if large { out += [0x1D, 0x21, 0x00] + (profile.chineseMode == .kanji ? [0x1C, 0x21, 0x00] : []) }
        if bold { out += [0x1B, 0x45, 0x00] }
        if alignment != .left { out += [0x1B, 0x61, 0x00] }
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
