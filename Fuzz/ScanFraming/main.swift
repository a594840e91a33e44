// Fuzz target: what a serial or HID POS scanner sends. First byte: even = a serial byte stream through
// ScanFramer (terminator, prefix, suffix and a small maximum length from the next bytes, the stream fed in
// chunks, a timeout at the end); odd = HID POS reports through HIDPOSDecoder (a report format from the next
// bytes, kept only when a profile could carry it). Every scan then goes through canonicalization, as
// ScanService does.
import CounterCore
@testable import CounterScan
import FuzzSupport

func check(_ frame: ScanFramer.Frame?, maximumLength: Int) {
    guard let frame else { return }
    switch frame {
    case .scan(let bytes), .incomplete(let bytes):
        precondition(!bytes.isEmpty && bytes.count <= maximumLength, "a frame of \(bytes.count) bytes")
        _ = try? CanonicalCode(String(decoding: bytes, as: UTF8.self))
    case .overlong(let count):
        precondition(count > maximumLength, "overlong with \(count) bytes")
    }
}

fuzz { bytes in
    var input = FuzzInput(bytes)
    let mode = input.byte()
    if mode % 2 == 0 {
        let terminator = ScanTerminator.allCases[Int(input.byte()) % ScanTerminator.allCases.count]
        let maximumLength = Int(input.byte() % 64) + 1
        let prefix = input.take(Int(input.byte() % 4)), suffix = input.take(Int(input.byte() % 4))
        var framer = ScanFramer(framing: ScanFraming(terminator: terminator, interCharacterTimeout: .milliseconds(50),
                                                     maximumLength: maximumLength, prefix: prefix, suffix: suffix))
        while !input.isEmpty {
            let chunk = input.take(Int(input.byte() % 32) + 1)
            for frame in framer.feed(chunk) { check(frame, maximumLength: maximumLength) }
        }
        check(framer.timeout(), maximumLength: maximumLength)
        precondition(!framer.hasPartialScan, "a partial scan after the timeout")
    } else {
        let reportID: UInt8? = mode & 2 == 0 ? input.byte() : nil
        let reportSize = Int(input.uint16() % 300)
        let lengthOffset = Int(input.byte()), dataOffset = Int(input.byte())
        let continued = input.byte()
        let format = HIDPOSReportFormat(reportID: reportID, reportSize: reportSize, lengthOffset: lengthOffset,
                                        dataOffset: dataOffset, continuedOffset: continued == 0xFF ? nil : Int(continued),
                                        continuedMask: input.byte())
        guard format.problems().isEmpty else { return }
        let maximumLength = Int(input.byte() % 128) + 1
        var decoder = HIDPOSDecoder(format: format, maximumLength: maximumLength)
        while !input.isEmpty {
            // Mostly whole reports; hidraw can also deliver a short one.
            let size = input.byte() < 0xF0 ? format.reportSize : Int(input.byte())
            check(decoder.feed(report: input.take(size)), maximumLength: maximumLength)
        }
        check(decoder.timeout(), maximumLength: maximumLength)
        precondition(!decoder.hasPartialScan, "a partial scan after the timeout")
    }
}
