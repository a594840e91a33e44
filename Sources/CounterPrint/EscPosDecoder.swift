import Foundation

/// Our own ESC/POS bytes read back: text lines (2-byte runs decoded from GB18030), images, QR
/// payloads, feeds, cuts and drawer kicks, in order. The tests, the receipt preview and the
/// end-to-end print test use it, so all of them see the bytes that are sent.
public struct DecodedReceipt: Sendable, Equatable {
    /// One printed thing, with the print mode it was printed in.
    public enum Element: Sendable, Equatable {
        case text(String, alignment: ReceiptDocument.Alignment, bold: Bool, large: Bool)
        /// One `GS v 0` band.
        case image(RasterImage)
        case qr(String, moduleSize: Int)
        case feed(lines: Int)
        case cut
    }

    public var elements: [Element] = []
    public var drawerKicks: [UInt8] = []
    /// Bytes the decoder did not understand (a bug in the encoder or a foreign stream).
    public var unknownCommands = 0

    public init() {}

    /// The text lines, with a blank line per fed line.
    public var lines: [String] {
        elements.flatMap { element -> [String] in
            switch element {
            case .text(let text, _, _, _): [text]
            case .feed(let count): [String](repeating: "", count: count)
            default: []
            }
        }
    }

    public var qrPayloads: [String] {
        elements.compactMap { if case .qr(let payload, _) = $0 { payload } else { nil } }
    }

    public var cuts: Int { elements.filter { $0 == .cut }.count }

    /// How many image bands were sent.
    public var imageBands: Int { elements.filter { if case .image = $0 { true } else { false } }.count }

    /// The receipt as plain text, for `counterctl receipt preview --text`.
    public var text: String {
        var out: [String] = []
        var imageRows = 0
        func flushImage() {
            if imageRows > 0 { out.append("[image \(imageRows) dots high]"); imageRows = 0 }
        }
        for element in elements {
            if case .image(let band) = element { imageRows += band.height; continue }
            flushImage()
            switch element {
            case .text(let text, _, _, _): out.append(text)
            case .feed(let count): out += [String](repeating: "", count: count)
            case .qr(let payload, _): out.append("[QR \(payload)]")
            case .cut: out.append("--------------- ✂ ---------------")
            case .image: break
            }
        }
        flushImage()
        return out.joined(separator: "\n")
    }
}

public enum EscPosDecoder {
    public static func decode(_ bytes: [UInt8]) -> DecodedReceipt {
        var receipt = DecodedReceipt()
        var run: [UInt8] = []
        var wide = false
        var text = ""
        var alignment = ReceiptDocument.Alignment.left
        var bold = false
        var large = false
        var qrModule = 3
        func flushRun() {
            guard !run.isEmpty else { return }
            text += wide ? (String(data: Data(run), encoding: GB18030Text.encoding) ?? "?") : String(decoding: run, as: UTF8.self)
            run.removeAll()
        }
        func endLine() {
            flushRun()
            receipt.elements.append(.text(text, alignment: alignment, bold: bold, large: large))
            text = ""
        }
        var index = 0
        func take(_ count: Int) -> [UInt8]? {
            guard count >= 0, index + count <= bytes.count else { index = bytes.count; return nil }
            defer { index += count }
            return Array(bytes[index..<index + count])
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x0A:
                endLine()
            case 0x1B:
                guard let command = take(1)?.first else { break }
                switch command {
                case 0x40: alignment = .left; bold = false; large = false; wide = false
                case 0x61: alignment = ReceiptDocument.Alignment(rawValue: take(1)?.first ?? 0) ?? .left
                case 0x45: bold = (take(1)?.first ?? 0) & 1 == 1
                case 0x21, 0x74: _ = take(1)
                case 0x64: if let n = take(1)?.first { receipt.elements.append(.feed(lines: Int(n))) }
                case 0x70: if let arguments = take(3) { receipt.drawerKicks.append(arguments[0]) }
                case 0x69, 0x6D: receipt.elements.append(.cut)
                default: receipt.unknownCommands += 1
                }
            case 0x1C:
                guard let command = take(1)?.first else { break }
                switch command {
                case 0x26: flushRun(); wide = true
                case 0x2E: flushRun(); wide = false
                case 0x21: _ = take(1)
                default: receipt.unknownCommands += 1
                }
            case 0x1D:
                guard let command = take(1)?.first else { break }
                switch command {
                case 0x21: large = (take(1)?.first ?? 0) != 0
                case 0x56:
                    receipt.elements.append(.cut)
                    if let m = take(1)?.first, m == 0x41 || m == 0x42 { _ = take(1) }
                case 0x76:
                    guard let header = take(6), header[0] == 0x30 else { receipt.unknownCommands += 1; break }
                    let bytesPerRow = Int(header[2]) | Int(header[3]) << 8
                    let rows = Int(header[4]) | Int(header[5]) << 8
                    guard let data = take(bytesPerRow * rows) else { receipt.unknownCommands += 1; break }
                    receipt.elements.append(.image(RasterImage(width: bytesPerRow * 8, height: rows, packedRows: data)))
                case 0x28:
                    guard let header = take(3), header[0] == 0x6B else { receipt.unknownCommands += 1; break }
                    let length = Int(header[1]) | Int(header[2]) << 8
                    guard let body = take(length) else { break }
                    if body.count >= 3, body[0] == 0x31, body[1] == 0x43 { qrModule = Int(body[2]) }
                    if body.count >= 3, body[0] == 0x31, body[1] == 0x50 {
                        receipt.elements.append(.qr(String(decoding: body[3...], as: UTF8.self), moduleSize: qrModule))
                    }
                    // The line feed after printing the symbol only moves the paper on.
                    if body.count >= 2, body[0] == 0x31, body[1] == 0x51, index < bytes.count, bytes[index] == 0x0A { index += 1 }
                default: receipt.unknownCommands += 1
                }
            default:
                run.append(byte)
            }
        }
        flushRun()
        if !text.isEmpty { receipt.elements.append(.text(text, alignment: alignment, bold: bold, large: large)) }
        return receipt
    }
}
