import NIOCore

/// A channel handler that frames inbound bytes into scans and fires the inter-character timeout
/// on the channel's event loop (no polling: a timer exists only while a partial scan waits).
final class FramingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ScanFramer.Frame

    private var framer: ScanFramer
    private var timeoutTask: Scheduled<Void>?

    init(framing: ScanFraming) {
        framer = ScanFramer(framing: framing)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        timeoutTask?.cancel()
        timeoutTask = nil
        for frame in framer.feed(buffer.readableBytesView) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        guard framer.hasPartialScan, let timeout = framer.framing.interCharacterTimeout else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutTask = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.nanoseconds))) {
            let (handler, context) = loopBound.value
            handler.timeoutTask = nil
            if let frame = handler.framer.timeout() {
                context.fireChannelRead(handler.wrapInboundOut(frame))
                // Reads are delivered downstream (NIOAsyncChannel) on read-complete; a timer has none of its own.
                context.fireChannelReadComplete()
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        timeoutTask = nil
        // Bytes without their terminator when the device went away: report them as cut off.
        if let frame = framer.timeout() {
            context.fireChannelRead(wrapInboundOut(frame))
            context.fireChannelReadComplete()
        }
        context.fireChannelInactive()
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
