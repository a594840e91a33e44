import NIOCore

/// A channel handler that cuts hidraw input into whole reports, decodes them into scans, and ends a scan
/// whose continuation report never comes after the inter-report timeout.
/// hidraw delivers one report per read; a pipe in tests may merge them, so reports are cut by size.
final class HIDPOSHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ScanFramer.Frame

    private var decoder: HIDPOSDecoder
    private let timeout: Duration
    private var buffered: [UInt8] = []
    private var timeoutTask: Scheduled<Void>?

    init(format: HIDPOSReportFormat, timeout: Duration, maximumLength: Int = 8192) {
        decoder = HIDPOSDecoder(format: format, maximumLength: maximumLength)
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffered += unwrapInboundIn(data).readableBytesView
        timeoutTask?.cancel()
        timeoutTask = nil
        let size = decoder.format.reportSize
        while buffered.count >= size {
            let report = buffered.prefix(size)
            if let frame = decoder.feed(report: report) { context.fireChannelRead(wrapInboundOut(frame)) }
            buffered.removeFirst(size)
        }
        guard decoder.hasPartialScan || !buffered.isEmpty else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeoutTask = context.eventLoop.scheduleTask(in: .nanoseconds(timeout.nanoseconds)) {
            let (handler, context) = loopBound.value
            handler.timeoutTask = nil
            handler.buffered.removeAll()
            if let frame = handler.decoder.timeout() {
                context.fireChannelRead(handler.wrapInboundOut(frame))
                context.fireChannelReadComplete()
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timeoutTask?.cancel()
        timeoutTask = nil
        if let frame = decoder.timeout() {
            context.fireChannelRead(wrapInboundOut(frame))
            context.fireChannelReadComplete()
        }
        context.fireChannelInactive()
    }
}
