import CounterPrint

/// The page `counterctl print-test` prints: everything a profile claims, so the technician can
/// see which profile fits the printer.
enum TestPage {
    static func document(for profile: PrinterProfile) -> ReceiptDocument {
        ReceiptDocument([
            .text("counterd 打印测试 PRINT TEST", alignment: .center, bold: true, large: true),
            .text(profile.name, alignment: .center),
            .text("profile \(profile.id) · \(profile.paperWidthMM) mm · \(profile.charactersPerLine) cols", alignment: .center),
            .rule,
            .text("ASCII: !\"#$%&'()*+,-./0123456789:;<=>?@"),
            .text("ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"),
            .text("中文：核销成功，欢迎光临！￥18.00"),
            .text("粗体 Bold", bold: true),
            .text("大字 Large", large: true),
            .text("右对齐 Right", alignment: .right),
            .columns("两栏 Label", "￥2.00"),
            .rule,
            .text("位图文字 Bitmap text (Unifont):"),
            .bitmapText("한국어 · Ελληνικά · ¥ 😀"),
            .text(profile.nativeQR ? "原生二维码 Native QR (GS ( k):" : "原生二维码: 此型号不支持 (bitmap below)"),
            .qr("COUNTERD-PRINT-TEST-NATIVE", moduleSize: 5),
            .text("位图二维码 Bitmap QR:"),
            .bitmapQR("COUNTERD-PRINT-TEST-BITMAP", moduleSize: 5),
            .rule,
            .text(profile.cut.isEmpty ? "无切刀 No cutter: tear here" : "切纸 Cut below", alignment: .center),
            .feed(lines: 3),
            .cut,
        ])
    }
}
