@testable import CounterPrint
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
        // An emoji has no 2-byte form at all.
        #expect(encoder.encode(ReceiptDocument([.text("😀")])) == initialize + [0x3F, 0x0A])
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
        let bytes = EscPosEncoder(profile: plain).encode(ReceiptDocument([.text("中A"), .qr("ID")]))
        let decoded = EscPosDecoder.decode(bytes)
        #expect(decoded.lines.first == "?A")
        #expect(decoded.lines.contains("[QR] ID"))
        #expect(decoded.qrPayloads.isEmpty)
    }

    @Test func everyShippedProfileLoads() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("drivers/printers")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 7)
        for file in files {
            let profile = try PrinterProfile.load(from: directory.appendingPathComponent(file))
            #expect(profile.id + ".json" == file)
            #expect([32, 48].contains(profile.charactersPerLine))
            #expect(!profile.provenance.isEmpty, "\(file) says where its values come from")
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
