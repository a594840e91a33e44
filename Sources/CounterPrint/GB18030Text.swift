import Foundation

/// Text to the 2-byte GB18030 area (GBK) that Chinese receipt printers print.
///
/// Characters that would need a 4-byte GB18030 sequence print as garbage on most printers; the
/// common ones are replaced by 2-byte look-alikes first (`¥` → `￥`, `•` → `·`); the rest are
/// reported as unencodable, and the encoder prints that line as a bitmap.
enum GB18030Text {
    static let encoding = String.Encoding(rawValue: 0x8000_0632)

    static let replacements: [Character: Character] = ["¥": "￥", "•": "·", "–": "-", "—": "－", "€": "E", "\u{00A0}": " "]

    /// One segment of encoded text: single-byte ASCII, 2-byte Chinese, or characters the printer's
    /// font cannot print (their count).
    enum Run: Equatable {
        case ascii([UInt8])
        case wide([UInt8])
        case unencodable(Int)
    }

    /// Splits text into runs. Control characters become `?`; with `chinese` false every non-ASCII
    /// character is unencodable.
    static func runs(_ text: String, chinese: Bool = true) -> [Run] {
        var runs: [Run] = []
        func append(ascii bytes: [UInt8]) {
            if case .ascii(let previous)? = runs.last { runs[runs.count - 1] = .ascii(previous + bytes) } else { runs.append(.ascii(bytes)) }
        }
        func append(wide bytes: [UInt8]) {
            if case .wide(let previous)? = runs.last { runs[runs.count - 1] = .wide(previous + bytes) } else { runs.append(.wide(bytes)) }
        }
        for character in text {
            let character = replacements[character] ?? character
            if character.isASCII, let value = character.asciiValue {
                append(ascii: [value >= 0x20 ? value : UInt8(ascii: "?")])
                continue
            }
            if chinese, let data = String(character).data(using: encoding), data.count == 2, data[data.startIndex] >= 0x81 {
                append(wide: Array(data))
            } else if case .unencodable(let count)? = runs.last {
                runs[runs.count - 1] = .unencodable(count + 1)
            } else {
                runs.append(.unencodable(1))
            }
        }
        return runs
    }
}
