import CounterScan
import Logging
import ServiceLifecycle

/// Runs every configured scan source and the USB scanner manager, and hands each scan to the redeemer,
/// until graceful shutdown. A source that ends (standard input closed) does not stop the daemon.
public struct ScanService: Service {
    let sources: [any ScanSource]
    let usbScanners: ScannerManager?
    let redeemer: Redeemer
    let logger: Logger
    /// Runs after the sources stopped, at shutdown.
    let onStop: @Sendable () async -> Void

    public init(sources: [any ScanSource], usbScanners: ScannerManager? = nil, redeemer: Redeemer, logger: Logger,
                onStop: @escaping @Sendable () async -> Void = {}) {
        self.sources = sources
        self.usbScanners = usbScanners
        self.redeemer = redeemer
        self.logger = logger
        self.onStop = onStop
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            for source in sources {
                group.addTask {
                    do {
                        try await source.run { event in await redeemer.handle(event) }
                    } catch {
                        logger.error("scan source stopped", metadata: ["source": "\(source.name)", "error": "\(error)"])
                    }
                }
            }
            if let usbScanners {
                group.addTask { await usbScanners.run { event in await redeemer.handle(event) } }
            }
            // Stay up until shutdown even if every source has ended (standard input closed): `onStop` ends
            // the API's event streams, which must happen at shutdown and not before.
            try? await gracefulShutdown()
            group.cancelAll()
        }
        // This service stops before the API listeners: end their event streams so they can stop too.
        await onStop()
    }
}
