import CZlib
import Foundation

/// Writes a ``RasterImage`` as a PNG (8-bit grey, black dots on white), compressed and checksummed
/// with zlib (the only file that calls it).
public enum PNGImage {
    public static func data(_ image: RasterImage) -> [UInt8] {
        var raw: [UInt8] = []
        raw.reserveCapacity((image.width + 1) * image.height)
        for y in 0..<image.height {
            raw.append(0)  // filter: none
            for x in 0..<image.width { raw.append(image[x, y] ? 0x00 : 0xFF) }
        }
        var compressedLength = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        _ = compress2(&compressed, &compressedLength, raw, uLong(raw.count), 9)
        compressed.removeSubrange(Int(compressedLength)...)

        var header: [UInt8] = []
        header += bigEndian(UInt32(image.width)) + bigEndian(UInt32(image.height))
        header += [8, 0, 0, 0, 0]  // 8-bit, greyscale, deflate, no filter variants, no interlace
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", header) + chunk("IDAT", compressed) + chunk("IEND", [])
    }

    private static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        let checksum = UInt32(crc32(0, typed, uInt(typed.count)))
        return bigEndian(UInt32(body.count)) + typed + bigEndian(checksum)
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }
}
