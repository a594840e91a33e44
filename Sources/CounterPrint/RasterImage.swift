/// A 1-bit image in printer dots: `true` is a black dot. Rows are `width` dots wide.
public struct RasterImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Row-major dots, `width * height` of them.
    public private(set) var dots: [Bool]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        dots = [Bool](repeating: false, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Bool {
        get { x >= 0 && y >= 0 && x < width && y < height ? dots[y * width + x] : false }
        set { if x >= 0 && y >= 0 && x < width && y < height { dots[y * width + x] = newValue } }
    }

    /// Copies `other` into this image with its top-left corner at (`x`, `y`); black dots only.
    public mutating func draw(_ other: RasterImage, x: Int, y: Int) {
        for row in 0..<other.height {
            for column in 0..<other.width where other[column, row] { self[x + column, y + row] = true }
        }
    }

    /// This image on a line `width` dots wide, aligned; cut at the right edge when it is wider.
    public func placed(onWidth width: Int, alignment: ReceiptDocument.Alignment) -> RasterImage {
        let x: Int = switch alignment {
        case .left: 0
        case .center: (width - self.width) / 2
        case .right: width - self.width
        }
        var line = RasterImage(width: width, height: height)
        line.draw(self, x: max(0, x), y: 0)
        return line
    }

    /// Rows `range` as an image of their own.
    public func rows(_ range: Range<Int>) -> RasterImage {
        var band = RasterImage(width: width, height: range.count)
        for row in range.clamped(to: 0..<height) {
            for column in 0..<width where self[column, row] { band[column, row - range.lowerBound] = true }
        }
        return band
    }

    /// The image scaled by whole numbers (nearest neighbour).
    public func scaled(by factor: Int) -> RasterImage {
        guard factor > 1 else { return self }
        var out = RasterImage(width: width * factor, height: height * factor)
        for y in 0..<out.height {
            for x in 0..<out.width where self[x / factor, y / factor] { out[x, y] = true }
        }
        return out
    }

    /// Rows packed 8 dots to a byte, most significant bit first, as `GS v 0` wants them.
    public var packedRows: [UInt8] {
        let bytesPerRow = (width + 7) / 8
        var out = [UInt8](repeating: 0, count: bytesPerRow * height)
        for y in 0..<height {
            for x in 0..<width where dots[y * width + x] {
                out[y * bytesPerRow + x / 8] |= 0x80 >> UInt8(x % 8)
            }
        }
        return out
    }

    /// Reads packed rows back (the inverse of ``packedRows``).
    public init(width: Int, height: Int, packedRows: [UInt8]) {
        self.init(width: width, height: height)
        let bytesPerRow = (width + 7) / 8
        for y in 0..<height {
            for x in 0..<width {
                let index = y * bytesPerRow + x / 8
                if index < packedRows.count, packedRows[index] & (0x80 >> UInt8(x % 8)) != 0 { self[x, y] = true }
            }
        }
    }
}
