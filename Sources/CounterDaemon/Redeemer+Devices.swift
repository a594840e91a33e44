import CounterAPIModels
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

    public func deviceEvents() async -> AsyncStream<DeviceEventMessage> {
        let events = await scanners.events()
        let (stream, continuation) = AsyncStream.makeStream(of: DeviceEventMessage.self, bufferingPolicy: .bufferingNewest(100))
        let forward = Task {
            for await event in events {
                continuation.yield(DeviceEventMessage(kind: event.kind.rawValue, device: event.device, source: event.source,
                                                      message: event.message, at: event.at))
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in forward.cancel() }
        return stream
    }

    /// Plain-words problems with scanners, for `status`.
    func scannerWarnings() async -> [String] {
        await scanners.all().filter { $0.state == .error }.map { status in
            "scanner \(status.source) cannot be read: \(status.problem ?? "unknown problem"); \(status.fix ?? "run `counterctl doctor`")"
        }
    }
}
