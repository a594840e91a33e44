/// Draws decoded ESC/POS bytes as the paper would come out: the preview of
/// `counterctl receipt preview --png`. Text is drawn with the bitmap font in the printer's
/// 12×24 cell, QR codes with libqrencode, images dot for dot.
public enum ReceiptPreview {
    public static func render(_ receipt: DecodedReceipt, paperWidthDots: Int,
                              font: BitmapFont? = BitmapFont.unifont) -> RasterImage {
        var blocks: [RasterImage] = []
        func place(_ image: RasterImage, _ alignment: ReceiptDocument.Alignment) {
            blocks.append(image.placed(onWidth: paperWidthDots, alignment: alignment))
        }
        for element in receipt.elements {
            switch element {
            case let .text(text, alignment, bold, large):
                let cell = large ? 48 : 24
                guard let font else { blocks.append(RasterImage(width: paperWidthDots, height: cell)); continue }
                var line = font.render(text, cellHeight: cell)
                if bold { line.draw(line, x: 1, y: 0) }
                place(line, alignment)
            case .image(let band):
                place(band, .left)
            case let .qr(payload, moduleSize):
                if let matrix = QRMatrix(payload) { place(matrix.image(moduleSize: max(1, moduleSize)), .center) }
            case .feed(let lines):
                blocks.append(RasterImage(width: paperWidthDots, height: 24 * lines))
            case .cut:
                var cut = RasterImage(width: paperWidthDots, height: 9)
                for x in stride(from: 0, to: paperWidthDots, by: 8) { for dx in 0..<4 { cut[x + dx, 4] = true } }
                blocks.append(cut)
            }
        }
        let margin = 8
        var paper = RasterImage(width: paperWidthDots, height: blocks.reduce(2 * margin) { $0 + $1.height })
        var y = margin
        for block in blocks {
            paper.draw(block, x: 0, y: y)
            y += block.height
        }
        return paper
    }
}
