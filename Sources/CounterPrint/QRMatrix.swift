import CQREncode

/// A QR code's modules, made by libqrencode (the only file that calls it).
public struct QRMatrix: Sendable, Equatable {
    /// Modules per side.
    public let size: Int
    /// Row-major, `true` is a dark module.
    public let modules: [Bool]

    /// Encodes `payload` (8-bit mode, error correction M, the smallest version that fits).
    /// Returns `nil` when the payload is too long for any QR version.
    public init?(_ payload: String) {
        let bytes = Array(payload.utf8)
        guard let code = bytes.withUnsafeBufferPointer({ QRcode_encodeData(Int32($0.count), $0.baseAddress, 0, QR_ECLEVEL_M) })
        else { return nil }
        defer { QRcode_free(code) }
        let size = Int(code.pointee.width)
        self.size = size
        modules = (0..<size * size).map { code.pointee.data[$0] & 1 == 1 }
    }

    /// The code as an image: `moduleSize` dots a module, with the 4-module quiet zone scanners need.
    public func image(moduleSize: Int) -> RasterImage {
        let quiet = 4
        let side = (size + 2 * quiet) * moduleSize
        var image = RasterImage(width: side, height: side)
        for row in 0..<size {
            for column in 0..<size where modules[row * size + column] {
                for dy in 0..<moduleSize {
                    for dx in 0..<moduleSize {
                        image[(column + quiet) * moduleSize + dx, (row + quiet) * moduleSize + dy] = true
                    }
                }
            }
        }
        return image
    }
}
