/// Column widths on a receipt: CJK and full-width characters take two columns, others one.
enum TextWidth {
    static func columns(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + columns($1) }
    }

    /// Cuts `text` to at most `width` columns, marking a cut with `…` (`.`) at the end.
    static func truncated(_ text: String, to width: Int) -> String {
        guard columns(text) > width else { return text }
        var out = String.UnicodeScalarView()
        var used = 0
        for scalar in text.unicodeScalars {
            let next = columns(scalar)
            if used + next > width - 1 { break }
            out.append(scalar)
            used += next
        }
        return String(out) + "."
    }
}
