// Fuzz target: the ESC/POS decoder (receipt previews and tests read printer byte streams with it).
import CounterPrint
import FuzzSupport

fuzz { bytes in
    let receipt = EscPosDecoder.decode(bytes)
    _ = (receipt.lines, receipt.qrPayloads, receipt.cuts, receipt.imageBands, receipt.text)
}
