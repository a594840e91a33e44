/// A receipt as a list of printable elements, before encoding for a printer.
public struct ReceiptDocument: Sendable, Equatable {
    public enum Alignment: UInt8, Sendable { case left = 0, center = 1, right = 2 }

    /// One element of a receipt.
    public enum Element: Sendable, Equatable {
        /// A line of text; `large` doubles width and height.
        case text(String, alignment: Alignment = .left, bold: Bool = false, large: Bool = false)
        /// A label on the left and a value on the right, filling the line width.
        case columns(String, String)
        /// A full-width rule of `-`.
        case rule
        /// A QR code of `payload` (UTF-8), module size in dots: native `GS ( k` where the profile
        /// has it, else a bitmap.
        case qr(String, moduleSize: UInt8 = 6)
        /// A QR code always sent as a bitmap (the print-test page shows both kinds).
        case bitmapQR(String, moduleSize: UInt8 = 6)
        /// Text always sent as a bitmap rendered from the bitmap font (the print-test page).
        case bitmapText(String, alignment: Alignment = .left)
        /// An image, centred or aligned on the paper.
        case image(RasterImage, alignment: Alignment = .center)
        /// Blank lines.
        case feed(lines: UInt8)
        case cut
        /// A cash drawer kick on pin 0 (pin 2) or 1 (pin 5).
        case drawer(pin: UInt8)
    }

    public var elements: [Element]

    public init(_ elements: [Element]) { self.elements = elements }
}
