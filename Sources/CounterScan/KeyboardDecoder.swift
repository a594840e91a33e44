/// Turns a keyboard scanner's evdev stream (`input_event` records, in any chunks) into the bytes its keys
/// type under a layout: UTF-8 text, CR for Enter and keypad Enter, TAB for Tab. A key typed with Alt held
/// becomes U+FFFD (the scan is then rejected as malformed rather than read as another code). So does a
/// `SYN_DROPPED`: the kernel lost events of this reader (it fell behind a fast scanner), so the scan they
/// belonged to is marked damaged instead of being read as the shorter code that is left of it.
/// Not thread-safe: one decoder per event node.
public final class KeyboardDecoder {
    /// What one chunk of the stream typed.
    public struct Output: Equatable {
        public var bytes: [UInt8]
        /// Keys typed with Alt held (Alt+keypad codes for characters a keyboard cannot type).
        public var altKeys: Int
        /// `SYN_DROPPED` events: the kernel dropped key events before counterd read them.
        public var drops: Int = 0
    }

    private let keyboard: XKBKeyboard
    private var buffered: [UInt8] = []
    /// After `SYN_DROPPED`, evdev's rule: ignore everything up to and including the next `SYN_REPORT`.
    private var discardingUntilReport = false

    /// - Throws: when the XKB layout cannot be loaded (its message names the fix).
    public init(layout: String) throws {
        keyboard = try XKBKeyboard(layout: layout)
    }

    /// Feeds bytes read from the node; a record split across chunks is kept for the next call.
    public func feed(_ bytes: some Sequence<UInt8>) -> Output {
        buffered += bytes
        var output = Output(bytes: [], altKeys: 0)
        var index = 0
        while buffered.count - index >= InputEvent.size {
            let event = InputEvent(buffered, at: index)
            index += InputEvent.size
            if event.type == InputEvent.synchronization {
                if event.code == InputEvent.dropped {
                    output.bytes += "\u{FFFD}".utf8
                    output.drops += 1
                    discardingUntilReport = true
                    keyboard.reset()
                } else if event.code == InputEvent.report {
                    discardingUntilReport = false
                }
                continue
            }
            guard event.type == InputEvent.key, !discardingUntilReport else { continue }
            switch keyboard.key(code: event.code, value: event.value) {
            case .none: break
            case .text(let text): output.bytes += text.utf8
            case .altSequence:
                output.bytes += "\u{FFFD}".utf8
                output.altKeys += 1
            }
        }
        buffered.removeFirst(index)
        return output
    }
}
