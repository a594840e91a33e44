@testable import CounterPrint
import CounterProfiles
import Foundation
import Testing

@Suite struct EscPosEncoderTests {
    let encoder = EscPosEncoder(profile: .generic58)
    let initialize: [UInt8] = [0x1B, 0x40, 0x1C, 0x2E]

    @Test func plainASCIILine() {
        #expect(encoder.encode(ReceiptDocument([.text("OK")])) == initialize + [0x4F, 0x4B, 0x0A])
    }

    @Test func boldCenteredLargeLine() {
        let bytes = encoder.encode(ReceiptDocument([.text("A", alignment: .center, bold: true, large: true)]))
        #expect(bytes == initialize + [0x1B, 0x61, 0x01, 0x1B, 0x45, 0x01, 0x1D, 0x21, 0x11, 0x1C, 0x21, 0x0C, 0x41, 0x0A,
                                       0x1D, 0x21, 0x00, 0x1C, 0x21, 0x00, 0x1B, 0x45, 0x00, 0x1B, 0x61, 0x00])
    }

    @Test func chineseRunsSwitchModeAndUseTwoByteGB() {
        // 中 = D6 D0, 文 = CE C4 in GB18030's 2-byte area.
        let bytes = encoder.encode(ReceiptDocument([.text("A中文B")]))
        #expect(bytes == initialize + [0x41, 0x1C, 0x26, 0xD6, 0xD0, 0xCE, 0xC4, 0x1C, 0x2E, 0x42, 0x0A])
    }

    @Test func fourByteCharactersAreNormalisedOrReplaced() {
        // ¥ would be 81 30 84 36; the full-width ￥ is A3 A4.
        let yen = encoder.encode(ReceiptDocument([.text("¥5")]))
        #expect(yen == initialize + [0x1C, 0x26, 0xA3, 0xA4, 0x1C, 0x2E, 0x35, 0x0A])
        #expect(!yen.contains(0x81))
        // An emoji has no 2-byte form at all: `?` without a bitmap font.
        let noFont = EscPosEncoder(profile: .generic58, font: nil)
        #expect(noFont.encode(ReceiptDocument([.text("😀")])) == initialize + [0x3F, 0x0A])
    }

    @Test func twoColumnLinesFillTheWidthCountingChineseAsTwo() {
        let line = encoder.columns("面值 Value", "￥18.00")
        #expect(TextWidth.columns(line) == 32)
        #expect(line.hasPrefix("面值 Value") && line.hasSuffix("￥18.00"))
        let long = encoder.columns(String(repeating: "很长的名字", count: 10), "￥1.00")
        #expect(TextWidth.columns(long) <= 32)
        #expect(long.hasSuffix("￥1.00"))
    }

    @Test func ruleIsOneLineOfTheProfileWidth() {
        #expect(encoder.encode(ReceiptDocument([.rule])) == initialize + [UInt8](repeating: 0x2D, count: 32) + [0x0A])
    }

    @Test func nativeQRIsGSParenK() {
        let bytes = EscPosEncoder.nativeQR("AB", moduleSize: 6)
        #expect(bytes == [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
                          0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,
                          0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,
                          0x1D, 0x28, 0x6B, 0x05, 0x00, 0x31, 0x50, 0x30, 0x41, 0x42,
                          0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, 0x0A])
    }

    @Test func qrLeavesChineseModeFirst() {
        let bytes = encoder.encode(ReceiptDocument([.text("中"), .qr("X")]))
        let qrStart = bytes.firstIndex(of: 0x28)! - 1
        // The text line ended in 2-byte mode; FS . comes before the QR commands.
        #expect(Array(bytes[(qrStart - 5)..<qrStart]) == [0x1C, 0x2E, 0x1B, 0x61, 0x01])
    }

    @Test func cutAndDrawerFollowTheProfile() {
        #expect(encoder.encode(ReceiptDocument([.cut, .drawer(pin: 0), .drawer(pin: 1)]))
                == initialize + [0x1D, 0x56, 0x41, 0x10, 0x1B, 0x70, 0x00, 0x19, 0x19])
        var noCutter = PrinterProfile.generic58
        noCutter.cut = ""
        #expect(EscPosEncoder(profile: noCutter).encode(ReceiptDocument([.cut])) == initialize)
    }

    @Test func profilesWithoutQROrChinese() {
        var plain = PrinterProfile.generic58
        plain.nativeQR = false
        plain.chineseMode = .none
        let bytes = EscPosEncoder(profile: plain, font: nil).encode(ReceiptDocument([.text("中A"), .qr("ID")]))
        let decoded = EscPosDecoder.decode(bytes)
        #expect(decoded.lines.first == "?A")
        // No native QR: the code goes as an image, never as GS ( k.
        #expect(decoded.qrPayloads.isEmpty)
        #expect(decoded.imageBands > 0)
        #expect(!bytes.contains(0x28))
    }

    @Test func everyShippedProfileLoads() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("drivers/printers")
        let catalog = ProfileCatalog<PrinterProfile>.load(from: [directory.path])
        #expect(catalog.problems.isEmpty, "\(catalog.problems)")
        #expect(catalog.entries.count >= 7)
        #expect(Set(catalog.profiles.map(\.id)).count == catalog.entries.count, "ids are unique")
        for entry in catalog.entries {
            let profile = try #require(entry.profile)
            // drivers/printers/FAMILY/ID.json, the family being the id's first word.
            #expect(entry.path == directory.path + "/" + profile.id.prefix { $0 != "-" } + "/" + profile.id + ".json", "\(entry.path)")
            #expect([32, 48].contains(profile.charactersPerLine))
            #expect(!profile.provenance.source.isEmpty, "\(entry.path) says where its values come from")
        }
    }
}

@Suite struct EscPosDecoderTests {
    @Test func roundTripOfAWholeReceipt() {
        let document = ReceiptDocument([
            .text("东门服务点 East Gate", alignment: .center, bold: true, large: true),
            .rule,
            .columns("面值 Face value", "￥18.00"),
            .columns("本单服务点奖励 Reward", "¥2.00"),
            .text("核销成功 Redeemed"),
            .qr("0192f0c1-2a3b-7c4d-8e5f-0123456789ab"),
            .feed(lines: 2),
            .cut,
        ])
        let decoded = EscPosDecoder.decode(EscPosEncoder(profile: .generic58).encode(document))
        #expect(decoded.lines.contains("东门服务点 East") || decoded.lines.contains { $0.hasPrefix("东门服务点") })
        #expect(decoded.lines.contains { $0.hasPrefix("面值 Face value") && $0.hasSuffix("￥18.00") })
        #expect(decoded.lines.contains { $0.hasSuffix("￥2.00") }, "¥ printed as the 2-byte ￥")
        #expect(decoded.lines.contains("核销成功 Redeemed"))
        #expect(decoded.qrPayloads == ["0192f0c1-2a3b-7c4d-8e5f-0123456789ab"])
        #expect(decoded.cuts == 1)
        #expect(decoded.unknownCommands == 0)
    }

    @Test func emptyAndLongFields() {
        let decoded = EscPosDecoder.decode(EscPosEncoder(profile: .generic58).encode(ReceiptDocument([
            .text(""), .text(String(repeating: "长", count: 40)), .columns("", ""),
        ])))
        #expect(decoded.lines.count == 3)
        #expect(decoded.lines[0] == "")
        #expect(TextWidth.columns(decoded.lines[1]) <= 32)
        #expect(decoded.unknownCommands == 0)
    }
}

@Suite struct BitmapFallbackTests {
    /// A two-glyph font: `A` (8 wide) and 한 (16 wide, not in GBK).
    let font = BitmapFont(hex: """
        0041:0000000018242442427E424242420000
        D55C:00000000000000000000000000000000FFFF0000000000000000000000000000
        """)

    @Test func rasterBandsAreGSv0WithExplicitLengths() {
        var profile = PrinterProfile.generic58
        profile.imageBandRows = 24
        var image = RasterImage(width: 8, height: 30)
        image[0, 0] = true
        let bytes = EscPosEncoder(profile: profile, font: nil).raster(image, alignment: .left)
        // 384 dots = 48 bytes a row; 30 rows = a band of 24 and one of 6.
        let header1: [UInt8] = [0x1D, 0x76, 0x30, 0x00, 48, 0, 24, 0]
        let header2: [UInt8] = [0x1D, 0x76, 0x30, 0x00, 48, 0, 6, 0]
        #expect(Array(bytes[0..<8]) == header1)
        #expect(bytes[8] == 0x80)
        #expect(Array(bytes[(8 + 48 * 24)..<(16 + 48 * 24)]) == header2)
        #expect(bytes.count == 16 + 48 * 30)
    }

    @Test func textThePrinterCannotEncodeIsSentAsAnImage() {
        let encoder = EscPosEncoder(profile: .generic58, font: font)
        let decoded = EscPosDecoder.decode(encoder.encode(ReceiptDocument([.text("A한"), .text("AB")])))
        #expect(decoded.imageBands == 1, "one 24-row band for the line")
        #expect(decoded.lines == ["AB"], "the encodable line stays text")
        guard case .image(let band)? = decoded.elements.first else { Issue.record("no image first"); return }
        #expect(band.height == 24)
        #expect(band.dots.contains(true))
        #expect(decoded.unknownCommands == 0)
    }

    @Test func chineseOnAPrinterWithoutAChineseFontIsAnImage() {
        var plain = PrinterProfile.generic58
        plain.chineseMode = .none
        let decoded = EscPosDecoder.decode(EscPosEncoder(profile: plain, font: font).encode(ReceiptDocument([.text("中A")])))
        #expect(decoded.imageBands == 1)
        #expect(decoded.lines.isEmpty)
    }

    @Test func theBitmapQRIsARealQRCode() throws {
        let matrix = try #require(QRMatrix("0192f0c1-2a3b-7c4d-8e5f-0123456789ab"))
        #expect(matrix.size == 29, "version 3 for 36 bytes at level M")
        // Finder pattern: the top-left 7×7 ring is dark.
        #expect((0..<7).allSatisfy { matrix.modules[$0] && matrix.modules[6 * matrix.size + $0] })
        let image = matrix.image(moduleSize: 4)
        #expect(image.width == (29 + 8) * 4)
        #expect(image[16, 16] && !image[15, 15], "the quiet zone is 4 modules")
    }

    @Test func unifontParsesHalfAndFullWidthGlyphs() {
        #expect(font.glyph("A").width == 8)
        #expect(font.glyph("한").width == 16)
        #expect(font.glyph("A")[3, 4], "row 4 of A is 0x18: dots 3 and 4")
        #expect(font.render("A한", cellHeight: 24).width == 36)
        #expect(!font.hasGlyph("中"))
    }

    @Test func pngHasSignatureHeaderAndChecksums() {
        var image = RasterImage(width: 3, height: 2)
        image[1, 1] = true
        let png = PNGImage.data(image)
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png[12..<16]) == Array("IHDR".utf8))
        #expect(Array(png[16..<24]) == [0, 0, 0, 3, 0, 0, 0, 2])
        #expect(Array(png.suffix(12)) == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }
}
