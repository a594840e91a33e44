import CounterAPIModels
import CounterCore
import CounterReceipts
import CounterScan
import Foundation

extension Redeemer {
    public func devices() async throws -> DevicesResponse {
        let scanners = await self.scanners.all().map { status in
            DevicesResponse.ScannerInfo(id: status.id, source: status.source, transport: status.transport, profile: status.profile,
                                        vendorProduct: status.vendorProduct, product: status.product, nodes: status.nodes,
                                        state: status.state.rawValue, problem: status.problem, fix: status.fix,
                                        permissionDenied: status.permissionDenied, lastScanAt: status.lastScanAt, scans: status.scans)
        }
        let unmatched = await self.scanners.unmatchedDevices().map {
            DevicesResponse.UnmatchedUSBDevice(port: $0.id, vendorProduct: $0.vendorProduct, product: $0.product)
        }
        let monitor = await self.scanners.monitorMode()
        var printer: DevicesResponse.PrinterInfo?
        if let receipts, receipts.configuration.enabled {
            let printing = try await receipts.status()
            let state = printing.lastError != nil && printing.pending > 0 ? "failing" : printing.pending > 0 ? "printing" : "ready"
            printer = .init(destination: printing.destination, profile: printing.profile, state: state,
                            problem: printing.pending > 0 ? printing.lastError : nil)
        }
        return DevicesResponse(scanners: scanners, unmatched: unmatched, usbMonitor: monitor.mode,
                               usbMonitorDetail: monitor.detail, printer: printer)
    }

    public func events() async -> AsyncStream<CounterEvent> {
        let devices = await scanners.events()
        let verdicts = self.verdicts.subscribe()
        let (stream, continuation) = AsyncStream.makeStream(of: CounterEvent.self, bufferingPolicy: .bufferingNewest(100))
        let forwardDevices = Task {
            for await event in devices {
                continuation.yield(.device(DeviceEventMessage(kind: event.kind.rawValue, device: event.device, source: event.source,
                                                              message: event.message, at: event.at)))
            }
        }
        let forwardVerdicts = Task {
            for await message in verdicts { continuation.yield(.verdict(message)) }
            // The verdicts end only at shutdown: end the whole stream then.
            continuation.finish()
        }
        continuation.onTermination = { _ in
            forwardDevices.cancel()
            forwardVerdicts.cancel()
        }
        return stream
    }

    /// Ends the event streams of `GET /api/v1/events` (at shutdown: the HTTP listener waits for open
    /// requests, and a stream would never end by itself).
    public func endEventStreams() async {
        verdicts.finish()
        await scanners.endEvents()
    }

    /// Plain-words problems with scanners, for `status`.
    func scannerWarnings() async -> [String] {
        await scanners.all().filter { $0.state == .error }.map { status in
            "scanner \(status.source) cannot be read: \(status.problem ?? "unknown problem"); \(status.fix ?? "run `counterctl doctor`")"
        }
    }
}
