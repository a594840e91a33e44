import NIOCore

/// A channel handler that frames inbound bytes into scans and ends a partial scan after the
/// inter-character timeout.
final class FramingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ScanFramer.Frame

    private var framer: ScanFramer
    private let timer = PartialScanTimer()

    init(framing: ScanFraming) {
        framer = ScanFramer(framing: framing)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        timer.cancel()
        for frame in framer.feed(buffer.readableBytesView) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        guard framer.hasPartialScan, let timeout = framer.framing.interCharacterTimeout else { return }
        timer.schedule(timeout, context: context) { [weak self] in self?.framer.timeout() }
    }

    func channelInactive(context: ChannelHandlerContext) { timer.endOnInactive(framer.timeout(), context: context) }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
