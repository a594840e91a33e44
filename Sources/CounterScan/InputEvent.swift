/// One Linux `struct input_event` as an evdev node delivers it: a 16-byte timeval, then type, code and
/// value (24 bytes on 64-bit Linux, which is what counterd is built for).
public struct InputEvent: Sendable, Equatable {
    public static let size = 24
    /// `EV_SYN`, `EV_KEY` and `EV_MSC`, the types a keyboard scanner sends.
    public static let synchronization: UInt16 = 0x00, key: UInt16 = 0x01, miscellaneous: UInt16 = 0x04
    /// Codes of `EV_SYN`: `SYN_REPORT` ends a packet of events; `SYN_DROPPED` says the kernel's buffer for
    /// this reader overflowed and events were lost (evdev discards up to the next `SYN_REPORT`).
    public static let report: UInt16 = 0, dropped: UInt16 = 3

    public var type: UInt16
    public var code: UInt16
    public var value: Int32

    public init(type: UInt16, code: UInt16, value: Int32) {
        self.type = type
        self.code = code
        self.value = value
    }

    /// Reads the event at `offset` of `raw`, which must hold `size` bytes from there (little-endian, as on
    /// x86_64 and arm64).
    public init(_ raw: [UInt8], at offset: Int) {
        type = UInt16(raw[offset + 16]) | UInt16(raw[offset + 17]) << 8
        code = UInt16(raw[offset + 18]) | UInt16(raw[offset + 19]) << 8
        value = Int32(bitPattern: UInt32(raw[offset + 20]) | UInt32(raw[offset + 21]) << 8
            | UInt32(raw[offset + 22]) << 16 | UInt32(raw[offset + 23]) << 24)
    }

    /// The 24 bytes of the event with a zero timestamp (the fixtures' and tests' format).
    public var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 16)
        out += [UInt8(type & 0xFF), UInt8(type >> 8), UInt8(code & 0xFF), UInt8(code >> 8)]
        let value = UInt32(bitPattern: self.value)
        out += (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }
        return out
    }
}
