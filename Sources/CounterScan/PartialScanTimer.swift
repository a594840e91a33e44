import NIOCore

/// Ends a decoding handler's partial scan after a pause: the serial framer's inter-character timeout,
/// HID POS's missing continuation. A timer exists only while a partial scan waits (no polling).
/// Used on the channel's event loop only.
final class PartialScanTimer {
    private var task: Scheduled<Void>?

    func cancel() {
        task?.cancel()
        task = nil
    }

    /// After `timeout`, sends on what `end` returns (the partial scan, if any).
    func schedule(_ timeout: Duration, context: ChannelHandlerContext, end: @escaping () -> ScanFramer.Frame?) {
        cancel()
        let loopBound = NIOLoopBound((self, context, end), eventLoop: context.eventLoop)
        task = context.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            let (timer, context, end) = loopBound.value
            timer.task = nil
            Self.send(end(), context: context)
        }
    }

    /// The device went away: what arrived of the last scan is sent on as cut off, then the close.
    func endOnInactive(_ frame: ScanFramer.Frame?, context: ChannelHandlerContext) {
        cancel()
        Self.send(frame, context: context)
        context.fireChannelInactive()
    }

    private static func send(_ frame: ScanFramer.Frame?, context: ChannelHandlerContext) {
        guard let frame else { return }
        context.fireChannelRead(NIOAny(frame))
        // Reads are delivered downstream (NIOAsyncChannel) on read-complete; a timer has none of its own.
        context.fireChannelReadComplete()
    }
}
