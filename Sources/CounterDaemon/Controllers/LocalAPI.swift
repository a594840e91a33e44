import CounterAPI
import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterLedger
import CounterReceipts
import CounterScan
import CounterSync
import Foundation
import Logging

/// The parts of a running counter the local API serves: built once by ``buildDaemon(_:logger:onReady:)``,
/// or by a test over a ledger of its own.
public struct CounterParts: Sendable {
    public let configuration: DaemonConfiguration
    public let ledger: Ledger
    public let logger: Logger
    public let redeemer: Redeemer
    public let voids: VoidDesk
    /// Present when the counter is enrolled with a hub.
    public let syncer: Syncer?
    /// The hub as people may see it (``redactedHubURL(_:)``).
    public let hubURL: String?
    /// The receipt printer (prints only when the configuration turns printing on).
    public let receipts: ReceiptService
    public let scanners: ScannerRegistry
    /// Who is signed in at this counter.
    public let staff: StaffDesk
    public let startedAt = Date()
    /// Wakes the uploader after the outbox gained events (nothing when not enrolled).
    let outboxChanged: @Sendable () -> Void

    /// - Parameters:
    ///   - presenter: shows each verdict on the terminal, when a terminal is a scan source.
    public init(configuration: DaemonConfiguration, ledger: Ledger, logger: Logger, syncer: Syncer? = nil, hubURL: String? = nil,
                scanners: ScannerRegistry = ScannerRegistry(), presenter: (@Sendable (Verdict, String) -> Void)? = nil) {
        self.configuration = configuration
        self.ledger = ledger
        self.logger = logger
        self.syncer = syncer
        self.hubURL = hubURL
        self.scanners = scanners
        let composer = ReceiptComposer(timeZone: configuration.timeZone,
                                       fallbackShopName: configuration.loadDemoData ? "演示门店 Demo shop" : nil)
        receipts = ReceiptService(configuration: configuration.printer, ledger: ledger, composer: composer,
                                  profileDirectories: configuration.printerProfileDirectories, logger: logger)
        let outboxChanged: @Sendable () -> Void = { syncer?.outboxChanged() }
        self.outboxChanged = outboxChanged
        let metrics = DaemonMetrics()
        staff = StaffDesk(ledger: ledger, idleTimeout: configuration.staffSessionIdle, logger: logger)
        redeemer = Redeemer(ledger: ledger, timeZone: configuration.timeZone, logger: logger, metrics: metrics,
                            presenter: presenter, outboxChanged: outboxChanged, receipts: receipts, staff: staff)
        voids = VoidDesk(ledger: ledger, window: configuration.voidWindow, timeZone: configuration.timeZone, logger: logger, metrics: metrics,
                         outboxChanged: outboxChanged, receipts: receipts)
    }

    /// The local API: one controller per resource. A new resource is one controller file and one line here.
    public var controllers: [any Controller] {
        [
            StatusController(ledger: ledger, timeZone: configuration.timeZone, voidWindow: configuration.voidWindow,
                             startedAt: startedAt, sources: configuration.scanners.map(StatusResponse.SourceInfo.init),
                             hubURL: hubURL, scanners: scanners, receipts: receipts),
            RedemptionsController(redeemer: redeemer, voids: voids, staff: staff, ledger: ledger, timeZone: configuration.timeZone),
            StaffController(desk: staff),
            ShiftsController(ledger: ledger, receipts: receipts, logger: logger, outboxChanged: outboxChanged),
            TrainingController(ledger: ledger, logger: logger),
            OutboxController(ledger: ledger, logger: logger, outboxChanged: outboxChanged),
            SyncController(syncer: syncer),
            ReceiptsController(receipts: receipts, logger: logger),
            DevicesController(scanners: scanners, receipts: receipts, redeemer: redeemer),
            DiagnosticsController(configuration: configuration, ledger: ledger, syncer: syncer, hubURL: hubURL,
                                  receipts: receipts, scanners: scanners),
            MetricsController(ledger: ledger, metrics: redeemer.metrics, isEnrolled: syncer != nil, receipts: receipts,
                              scanners: scanners),
        ]
    }

    /// The middleware of a listener of the local API: the staff gate (``StaffGate``).
    public func middleware(for listener: APIListenerKind) -> [APIMiddleware] {
        [StaffGate(desk: staff, listener: listener)]
    }

    /// Ends the event streams of `GET /api/v1/events` (at shutdown: the HTTP listener waits for open
    /// requests, and a stream would never end by itself).
    public func endEventStreams() async {
        redeemer.endVerdicts()
        await scanners.endEvents()
    }
}
