import Foundation

/// Reads our own ESC/POS bytes back: the text lines (2-byte runs decoded from GB18030), QR payloads,
/// cuts and drawer kicks. Used by tests and by the receipt preview, so both show the bytes that are sent.
public struct DecodedReceipt: Sendable, Equatable {
    public var lines: [String] = []
    public var qrPayloads: [String] = []
    public var cuts = 0
    public var drawerKicks: [UInt8] = []
    /// Bytes the decoder did not understand (a bug in the encoder or a foreign stream).
    public var unknownCommands = 0

    public init() {}
}

public enum EscPosDecoder {
    public static func decode(_ bytes: [UInt8]) -> DecodedReceipt {
        var receipt = DecodedReceipt()
        var line: [UInt8] = []
        var wide = false
        var text = ""
        func flushRun() {
            guard !line.isEmpty else { return }
            if wide {
                text += String(data: Data(line), encoding: GB18030Text.encoding) ?? "?"
            } else {
                text += String(decoding: line, as: UTF8.self)
            }
            line.removeAll()
        }
        var index = 0
        func take(_ count: Int) -> [UInt8]? {
            guard index + count <= bytes.count else { index = bytes.count; return nil }
            defer { index += count }
            return Array(bytes[index..<index + count])
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case 0x0A:
                flushRun()
                receipt.lines.append(text)
                text = ""
            case 0x1B:
                guard let command = take(1)?.first else { break }
                switch command {
                case 0x40: break
                case 0x61, 0x45, 0x21, 0x74: _ = take(1)
                case 0x64: if let n = take(1)?.first { for _ in 0..<n { receipt.lines.append("") } }
                case 0x70: if let arguments = take(3) { receipt.drawerKicks.append(arguments[0]) }
                case 0x69, 0x6D: receipt.cuts += 1
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
                case 0x21: _ = take(1)
                case 0x56:
                    receipt.cuts += 1
                    if let m = take(1)?.first, m == 0x41 || m == 0x42 { _ = take(1) }
                case 0x28:
                    guard let header = take(3), header[0] == 0x6B else { receipt.unknownCommands += 1; break }
                    let length = Int(header[1]) | Int(header[2]) << 8
                    guard let body = take(length) else { break }
                    if body.count >= 3, body[0] == 0x31, body[1] == 0x50 {
                        receipt.qrPayloads.append(String(decoding: body[3...], as: UTF8.self))
                    }
                default: receipt.unknownCommands += 1
                }
            default:
                line.append(byte)
            }
        }
        flushRun()
        if !text.isEmpty { receipt.lines.append(text) }
        return receipt
    }
}
