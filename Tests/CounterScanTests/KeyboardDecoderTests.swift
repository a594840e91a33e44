import CounterScan
import Testing

@Suite struct KeyboardDecoderTests {
    @Test func recordsSplitAcrossReadsDecodeTheSame() throws {
        let stream = try Fixture.bytes("wedge-mixed-case.evdev")
        let whole = try KeyboardDecoder(layout: "us").feed(stream)
        let split = try KeyboardDecoder(layout: "us")
        var bytes: [UInt8] = []
        // 7-byte pieces cut every 24-byte record somewhere.
        for start in stride(from: 0, to: stream.count, by: 7) {
            bytes += split.feed(stream[start..<min(start + 7, stream.count)]).bytes
        }
        #expect(bytes == whole.bytes)
        #expect(String(decoding: whole.bytes, as: UTF8.self) == "DEMO-0001\rHello-World_42\r")
    }

    @Test func altKeypadKeysAreCountedAndMarked() throws {
        let output = try KeyboardDecoder(layout: "us").feed(try Fixture.bytes("wedge-chinese-alt.evdev"))
        #expect(output.altKeys == 10, "5 keypad digits for each of the two characters")
        #expect(String(decoding: output.bytes, as: UTF8.self) == String(repeating: "\u{FFFD}", count: 10) + ":DEMO-0001\r")
    }

    @Test func keysOtherThanKeyEventsAndAutorepeatAreIgnored() throws {
        let decoder = try KeyboardDecoder(layout: "us")
        let a: UInt16 = 30
        let bytes = InputEvent(type: InputEvent.miscellaneous, code: 4, value: 0x70004).bytes
            + InputEvent(type: InputEvent.key, code: a, value: 1).bytes
            + InputEvent(type: InputEvent.key, code: a, value: 2).bytes  // autorepeat: a scanner never means it
            + InputEvent(type: InputEvent.key, code: a, value: 0).bytes
            + InputEvent(type: InputEvent.synchronization, code: 0, value: 0).bytes
        #expect(decoder.feed(bytes).bytes == Array("a".utf8))
    }

    /// Found in the QEMU guest (Tests/HIL): a reader that fell behind got `SYN_DROPPED`, then only the last
    /// key and Enter, and counterd redeemed "1" as a code (unknown_code for a valid scan).
    @Test func droppedEventsMarkTheScanDamagedInsteadOfShorteningIt() throws {
        let decoder = try KeyboardDecoder(layout: "us")
        let (d, e, one, enter): (UInt16, UInt16, UInt16, UInt16) = (32, 18, 2, 28)
        func tap(_ code: UInt16) -> [UInt8] {
            InputEvent(type: InputEvent.key, code: code, value: 1).bytes + report
                + InputEvent(type: InputEvent.key, code: code, value: 0).bytes + report
        }
        let report = InputEvent(type: InputEvent.synchronization, code: InputEvent.report, value: 0).bytes
        let dropped = InputEvent(type: InputEvent.synchronization, code: InputEvent.dropped, value: 0).bytes
        // The events after SYN_DROPPED up to the next SYN_REPORT are a torn packet: evdev says to ignore them.
        let torn = InputEvent(type: InputEvent.key, code: e, value: 0).bytes + report
        let output = decoder.feed(tap(d) + dropped + torn + tap(one) + tap(enter))
        #expect(output.drops == 1)
        #expect(String(decoding: output.bytes, as: UTF8.self) == "d\u{FFFD}1\r")
    }

    @Test func aShiftWhoseReleaseWasDroppedDoesNotShiftTheNextScan() throws {
        let decoder = try KeyboardDecoder(layout: "us")
        let (shift, a): (UInt16, UInt16) = (42, 30)
        let report = InputEvent(type: InputEvent.synchronization, code: InputEvent.report, value: 0).bytes
        let bytes = InputEvent(type: InputEvent.key, code: shift, value: 1).bytes + report
            + InputEvent(type: InputEvent.synchronization, code: InputEvent.dropped, value: 0).bytes + report
            + InputEvent(type: InputEvent.key, code: a, value: 1).bytes + report
            + InputEvent(type: InputEvent.key, code: a, value: 0).bytes + report
        #expect(String(decoding: decoder.feed(bytes).bytes, as: UTF8.self) == "\u{FFFD}a")
    }

    @Test func anUnknownLayoutSaysWhatToDo() {
        #expect {
            _ = try KeyboardDecoder(layout: "klingon")
        } throws: { error in
            "\(error)".contains("klingon") && "\(error)".contains("xkb-data")
        }
    }
}
