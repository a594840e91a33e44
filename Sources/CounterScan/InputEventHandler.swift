import Logging
import NIOCore

/// A channel handler that passes an evdev node's bytes through a ``KeyboardDecoder`` and sends the typed
/// bytes on to the ``FramingHandler``. The first Alt+keypad key per connection is logged with the fix.
final class InputEventHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let decoder: KeyboardDecoder
    private let logger: Logger
    private let source: String
    private var warnedAboutAlt = false

    init(decoder: KeyboardDecoder, source: String, logger: Logger) {
        self.decoder = decoder
        self.source = source
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let typed = decoder.feed(unwrapInboundIn(data).readableBytesView)
        if typed.altKeys > 0, !warnedAboutAlt {
            warnedAboutAlt = true
            logger.warning("scanner typed Alt+keypad codes: the code holds characters a keyboard wedge cannot carry",
                           metadata: ["source": "\(source)",
                                      "fix": "switch the scanner to USB serial or HID POS mode (docs/scanners.md)"])
        }
        if typed.drops > 0 {
            logger.warning("the kernel dropped key events of this scanner: the scan is rejected, scan it again",
                           metadata: ["source": "\(source)", "drops": "\(typed.drops)",
                                      "fix": "counterd could not keep up (machine overloaded?); HID POS or USB serial mode avoids it"])
        }
        guard !typed.bytes.isEmpty else { return }
        var out = context.channel.allocator.buffer(capacity: typed.bytes.count)
        out.writeBytes(typed.bytes)
        context.fireChannelRead(wrapInboundOut(out))
    }
}
