import CounterAPIModels
import CounterHTTP
import CounterReceipts
import CounterScan
import Foundation
import Hummingbird

/// Devices and their events: every scanner and the printer, and `GET /api/v1/events`, the Server-Sent
/// Events stream of verdicts and scanner attach/detach for the cashier's page and `counterctl watch`.
struct DevicesController: Controller {
    let scanners: ScannerRegistry
    let receipts: ReceiptService
    let redeemer: Redeemer

    func addRoutes(to router: Router<ServerRequestContext>) {
        let api = router.group("api/v1")
        api.get("devices") { _, _ in
            JSONResponse(try await Self.report(scanners: scanners, receipts: receipts))
        }
        api.get("events") { _, _ in
            await eventStream()
        }
    }

    /// Every scanner, the USB devices no profile matched, and the printer.
    static func report(scanners: ScannerRegistry, receipts: ReceiptService) async throws -> DevicesResponse {
        let monitor = await scanners.monitorMode()
        return DevicesResponse(scanners: await scanners.all().map(DevicesResponse.ScannerInfo.init),
                               unmatched: await scanners.unmatchedDevices().map(DevicesResponse.UnmatchedUSBDevice.init),
                               usbMonitor: monitor.mode, usbMonitorDetail: monitor.detail,
                               printer: try await receipts.printerInfo())
    }

    /// Verdicts and device events from now on, until shutdown ends the verdicts.
    private func events() async -> AsyncStream<CounterEvent> {
        let devices = await scanners.events()
        let verdicts = redeemer.subscribeVerdicts()
        let (stream, continuation) = AsyncStream.makeStream(of: CounterEvent.self, bufferingPolicy: .bufferingNewest(100))
        let forwardDevices = Task {
            for await event in devices { continuation.yield(.device(DeviceEventMessage(event))) }
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

    /// The events as Server-Sent Events: `event: verdict` or `event: device` with the message's JSON as
    /// `data:`, and a comment every 15 s so proxies and browsers keep the connection open.
    private func eventStream() async -> Response {
        let events = await events()
        let (chunks, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(256))
        let forward = Task {
            continuation.yield(": counterd device events\n\n")
            for await event in events { continuation.yield(event.serverSentEvent) }
            continuation.finish()
        }
        let keepAlive = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(15))
                continuation.yield(": keep-alive\n\n")
            }
        }
        continuation.onTermination = { _ in
            forward.cancel()
            keepAlive.cancel()
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            for await chunk in chunks {
                try await writer.write(ByteBuffer(string: chunk))
            }
            try await writer.finish(nil)
        })
    }
}

extension DevicesResponse.ScannerInfo {
    init(_ status: ScannerStatus) {
        self.init(id: status.id, source: status.source, transport: status.transport, profile: status.profile,
                  vendorProduct: status.vendorProduct, product: status.product, nodes: status.nodes,
                  state: status.state.rawValue, problem: status.problem, fix: status.fix,
                  permissionDenied: status.permissionDenied, lastScanAt: status.lastScanAt, scans: status.scans)
    }
}

extension DevicesResponse.UnmatchedUSBDevice {
    init(_ device: UnmatchedDevice) {
        self.init(port: device.id, vendorProduct: device.vendorProduct, product: device.product)
    }
}

extension DeviceEventMessage {
    init(_ event: DeviceEvent) {
        self.init(kind: event.kind.rawValue, device: event.device, source: event.source, message: event.message, at: event.at)
    }
}
