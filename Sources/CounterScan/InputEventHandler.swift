import Logging
import NIOCore

/// A channel handler that turns an evdev node's `input_event` records into the bytes the keys type
/// (UTF-8; Enter is CR, Tab is TAB), for the ``FramingHandler`` after it.
/// A key typed with Alt held becomes U+FFFD, so the scan fails canonicalization as malformed instead of
/// turning into a wrong code; the first such key per connection is logged with the fix.
final class InputEventHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let keyboard: XKBKeyboard
    private let logger: Logger
    private let source: String
    private var buffered: [UInt8] = []
    private var warnedAboutAlt = false

    init(keyboard: XKBKeyboard, source: String, logger: Logger) {
        self.keyboard = keyboard
        self.source = source
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffered += unwrapInboundIn(data).readableBytesView
        var typed: [UInt8] = []
        var index = 0
        while buffered.count - index >= InputEvent.size {
            let event = InputEvent(bytes: buffered[index..<(index + InputEvent.size)])
            index += InputEvent.size
            guard event.type == InputEvent.key else { continue }
            switch keyboard.key(code: event.code, value: event.value) {
            case .none: break
            case .text(let text): typed += text.utf8
            case .altSequence:
                typed += "\u{FFFD}".utf8
                if !warnedAboutAlt {
                    warnedAboutAlt = true
                    logger.warning("scanner typed Alt+keypad codes: the code holds characters a keyboard wedge cannot carry",
                                   metadata: ["source": "\(source)",
                                              "fix": "switch the scanner to USB serial or HID POS mode (docs/scanners.md)"])
                }
            }
        }
        buffered.removeFirst(index)
        guard !typed.isEmpty else { return }
        var out = context.channel.allocator.buffer(capacity: typed.count)
        out.writeBytes(typed)
        context.fireChannelRead(wrapInboundOut(out))
    }
}
