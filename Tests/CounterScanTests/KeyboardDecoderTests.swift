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

    @Test func anUnknownLayoutSaysWhatToDo() {
        #expect {
            _ = try KeyboardDecoder(layout: "klingon")
        } throws: { error in
            "\(error)".contains("klingon") && "\(error)".contains("xkb-data")
        }
    }
}
