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
    private let timer = PartialScanTimer()

    init(format: HIDPOSReportFormat, timeout: Duration, maximumLength: Int = 8192) {
        decoder = HIDPOSDecoder(format: format, maximumLength: maximumLength)
        self.timeout = timeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        buffered += unwrapInboundIn(data).readableBytesView
        timer.cancel()
        let size = decoder.format.reportSize
        while buffered.count >= size {
            if let frame = decoder.feed(report: buffered.prefix(size)) { context.fireChannelRead(wrapInboundOut(frame)) }
            buffered.removeFirst(size)
        }
        guard decoder.hasPartialScan || !buffered.isEmpty else { return }
        timer.schedule(timeout, context: context) { [weak self] in self?.endPartialScan() }
    }

    /// A partial report is dropped; the scan so far is reported cut off.
    func endPartialScan() -> ScanFramer.Frame? {
        buffered.removeAll()
        return decoder.timeout()
    }

    func channelInactive(context: ChannelHandlerContext) { timer.endOnInactive(endPartialScan(), context: context) }
}
