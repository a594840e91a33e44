import Foundation

/// What a 交班单 (shift slip) shows, independent of the printer: the X report of an open shift or the Z report of a
/// closed one, as lines with Chinese labels and their English words.
public struct ShiftSlipContent: Sendable, Equatable {
    public enum Line: Sendable, Equatable {
        /// A section's heading.
        case heading(zh: String, en: String)
        /// A label and its value in two columns.
        case pair(zh: String, en: String, value: String)
        /// A line of its own (a campaign's title, a staff member).
        case text(String)
        case rule
    }

    public var shopName: String
    /// A Z report (at the close) rather than an X report (the shift so far).
    public var isFinal: Bool
    public var lines: [Line]

    public init(shopName: String, isFinal: Bool, lines: [Line]) {
        self.shopName = shopName
        self.isFinal = isFinal
        self.lines = lines
    }
}

/// Lays a shift slip out for a paper width: Chinese labels always, English ones where the line has room (80 mm).
public enum ShiftSlipLayout {
    public static func document(for content: ShiftSlipContent, profile: PrinterProfile) -> ReceiptDocument {
        let wide = profile.charactersPerLine >= 48
        var elements: [ReceiptDocument.Element] = [
            .text(content.shopName, alignment: .center, bold: true, large: true),
            .text(content.isFinal ? (wide ? "交班单 Z 报表 Shift close (Z)" : "交班单 Z 报表")
                                  : (wide ? "交班单 X 报表 Shift so far (X)" : "交班单 X 报表"), alignment: .center, bold: true),
            .rule,
        ]
        for line in content.lines {
            switch line {
            case let .heading(zh, en): elements.append(.text(wide ? "\(zh) \(en)" : zh, bold: true))
            case let .pair(zh, en, value): elements.append(.columns(wide ? "\(zh) \(en)" : zh, value))
            case let .text(text): elements.append(.text(text))
            case .rule: elements.append(.rule)
            }
        }
        elements += [.feed(lines: 3), .cut]
        return ReceiptDocument(elements)
    }
}
