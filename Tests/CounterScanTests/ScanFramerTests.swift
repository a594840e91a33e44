import CounterScan
import Testing

@Suite struct ScanFramerTests {
    func framer(_ terminator: ScanTerminator, max: Int = 64) -> ScanFramer {
        ScanFramer(framing: ScanFraming(terminator: terminator, interCharacterTimeout: .milliseconds(100), maximumLength: max))
    }

    @Test func splitsOnCarriageReturn() {
        var framer = framer(.cr)
        let r1 = framer.feed(Array("ABC\rDEF\r".utf8))
        #expect(r1 == [.scan(Array("ABC".utf8)), .scan(Array("DEF".utf8))])
        #expect(!framer.hasPartialScan)
    }

    @Test func crlfGivesOneFramePerScan() {
        var framer = framer(.crlf)
        let r2 = framer.feed(Array("ABC\r\nDEF\r\n".utf8))
        #expect(r2 == [.scan(Array("ABC".utf8)), .scan(Array("DEF".utf8))])
    }

    @Test func strayLineFeedAfterCarriageReturnIsTrimmed() {
        var framer = framer(.cr)
        let r3 = framer.feed(Array("ABC\r\nDEF\r\n".utf8))
        #expect(r3 == [.scan(Array("ABC".utf8)), .scan(Array("DEF".utf8))])
    }

    @Test func tabTerminator() {
        var framer = framer(.tab)
        let r4 = framer.feed(Array("A-1\tB 2\t".utf8))
        #expect(r4 == [.scan(Array("A-1".utf8)), .scan(Array("B 2".utf8))])
    }

    @Test func scanSplitAcrossReads() {
        var framer = framer(.lf)
        let r5 = framer.feed(Array("AB".utf8))
        #expect(r5.isEmpty)
        #expect(framer.hasPartialScan)
        let r6 = framer.feed(Array("CD\n".utf8))
        #expect(r6 == [.scan(Array("ABCD".utf8))])
    }

    @Test func silenceBeforeTheTerminatorIsAnIncompleteScan() {
        var framer = framer(.cr)
        _ = framer.feed(Array("HALF".utf8))
        let r7 = framer.timeout()
        #expect(r7 == .incomplete(Array("HALF".utf8)))
        #expect(!framer.hasPartialScan)
        let r8 = framer.feed(Array("NEXT\r".utf8))
        #expect(r8 == [.scan(Array("NEXT".utf8))])
    }

    @Test func withoutTerminatorSilenceEndsTheScan() {
        var framer = framer(.none)
        let r9 = framer.feed(Array("ABC\r\n".utf8))
        #expect(r9.isEmpty)
        let r10 = framer.timeout()
        #expect(r10 == .scan(Array("ABC".utf8)))
        let r11 = framer.timeout()
        #expect(r11 == nil)
    }

    @Test func overlongScanIsDroppedWholeAndReported() {
        var framer = framer(.cr, max: 8)
        let frames = framer.feed(Array("0123456789ABCDEF\rOK\r".utf8))
        #expect(frames == [.overlong(byteCount: 16), .scan(Array("OK".utf8))])
    }

    @Test func fourKilobyteBinaryScanDoesNotGrowWithoutBound() {
        var framer = ScanFramer(framing: ScanFraming(terminator: .cr, interCharacterTimeout: nil, maximumLength: 1024))
        let binary = (0..<4096).map { UInt8(truncatingIfNeeded: $0 * 7 + 1) }.map { $0 == 0x0D ? 0x0E : $0 }
        let r12 = framer.feed(binary)
        #expect(r12.isEmpty)
        let r13 = framer.feed([0x0D])
        #expect(r13 == [.overlong(byteCount: 4096)])
    }

    @Test func emptyFramesAreDropped() {
        var framer = framer(.cr)
        let r14 = framer.feed(Array("\r\r  \r".utf8))
        #expect(r14.isEmpty)
    }
}

@Suite struct DuplicateFilterTests {
    @Test func dropsTheSameScanInsideTheWindowOnly() {
        var filter = DuplicateFilter(window: .milliseconds(1500))
        let start = ContinuousClock.now
        let r15 = filter.admit([1, 2], at: start)
        #expect(r15)
        let r16 = filter.admit([1, 2], at: start + .milliseconds(1499))
        #expect(!r16)
        let r17 = filter.admit([1, 2], at: start + .milliseconds(1500))
        #expect(r17)
        let r18 = filter.admit([3], at: start + .milliseconds(1501))
        #expect(r18)
        let r19 = filter.admit([1, 2], at: start + .milliseconds(1502))
        #expect(r19, "another scan in between resets")
    }
}
