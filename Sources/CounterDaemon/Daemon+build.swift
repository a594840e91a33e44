import CounterAPI
import CounterCore
import CounterLedger
import CounterReceipts
import CounterScan
import CounterSync
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// The assembled daemon: its service group and the parts tests and the CLI want to reach.
public struct Daemon: Sendable {
    public let group: ServiceGroup
    /// The ledger, the redeemer, the printer, the scanners and the sync loops the services run.
    public let parts: CounterParts
    public var ledger: Ledger { parts.ledger }
    /// Present when the counter is enrolled with a hub.
    public var syncer: Syncer? { parts.syncer }
    /// The receipt printer (prints only when the configuration turns printing on).
    public var receipts: ReceiptService { parts.receipts }

    /// Runs every service until SIGTERM or SIGINT, then shuts them down in reverse order.
    public func run() async throws {
        try await group.run()
    }
}

/// Builds counterd from a configuration: opens the ledger, loads demo data if asked, and assembles
/// the API listeners and scan sources into one service group that stops on SIGTERM or SIGINT.
/// - Parameter onReady: called once per API listener when it accepts connections.
public func buildDaemon(_ configuration: DaemonConfiguration, logger: Logger,
                        onReady: @escaping @Sendable (String) async -> Void = { _ in }) async throws -> Daemon {
    try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o750])
    let credential = try HubCredential.load(from: configuration.stateDirectory)
    if credential != nil, configuration.loadDemoData {
        // The demo signing key's private half is public knowledge: an enrolled counter trusting it would
        // accept codes anyone can forge.
        throw ConfigError(key: "demo", value: "true", problem: "cannot be used on an enrolled counter (its demo signing key is public)",
                          fix: "remove demo: true from the configuration, or use a fresh state directory for the demo")
    }
    let identity = try resolveIdentity(configuration, credential: credential)
    let ledger = try Ledger(path: configuration.ledgerPath, identity: identity)
    var syncer: Syncer?
    var tokenRotation: TokenRotation?
    if let credential {
        // A credential written before enroll refused user info, queries and fragments is used without them.
        let client = HubClient(baseURL: try validateHubURL(redactedHubURL(credential.hubURL)), token: credential.deviceToken)
        let root = Hex.decode(credential.rootPublicKey) ?? []
        syncer = Syncer(downloader: FeedDownloader(ledger: ledger, client: client, rootPublicKey: root, logger: logger),
                        uploader: EventUploader(ledger: ledger, client: client, deviceID: credential.deviceID, logger: logger),
                        pollInterval: configuration.syncPollInterval, logger: logger)
        // The device token is renewed while the counter runs (hub.token_rotation); never when that is 0s.
        if configuration.tokenRotation > .zero {
            tokenRotation = TokenRotation(client: client, stateDirectory: configuration.stateDirectory,
                                          period: configuration.tokenRotation, logger: logger)
        }
    }
    if configuration.loadDemoData, try await ledger.isCacheEmpty() {
        try await ledger.apply(DemoData.cacheUpdate(now: Date()))
        logger.notice("demo data loaded", metadata: ["codes": "\(DemoData.codes.count)"])
    }
    var present: (@Sendable (Verdict, String) -> Void)?
    if configuration.hasTerminalSource {
        let presenter = TerminalPresenter(timeZone: configuration.timeZone)
        present = { verdict, source in presenter.present(verdict, source: source) }
    }
    let scanners = await ScannerAssembly(configuration, logger: logger)
    let parts = CounterParts(configuration: configuration, ledger: ledger, logger: logger, syncer: syncer,
                             hubURL: credential.map { redactedHubURL($0.hubURL) }, scanners: scanners.registry, presenter: present)

    let readiness = Readiness(expected: configuration.api.http == nil ? 1 : 2)
    var services = try makeAPIServices(controllers: parts.controllers, listeners: configuration.api, logger: logger,
                                       socketMiddleware: parts.middleware(for: .socket), tcpMiddleware: parts.middleware(for: .tcp)) { listener in
        await onReady(listener)
        await readiness.listenerReady()
    }
    // This service stops before the API listeners: it ends their event streams so they can stop too.
    services.append(ScanService(sources: scanners.sources, usbScanners: scanners.manager, redeemer: parts.redeemer, logger: logger,
                                onStop: { await parts.endEventStreams() }))
    // Receipts print after their redemption committed; a missing printer never holds up a scan.
    if configuration.printer.enabled { services.append(parts.receipts) }
    // Download and upload run on their own loops, after the API and the scanners are up.
    services += syncer?.services ?? []
    if let tokenRotation { services.append(tokenRotation) }
    if let dayClose = configuration.dayClose {
        services.append(DayCloseService(ledger: ledger, time: dayClose, timeZone: configuration.timeZone, receipts: parts.receipts,
                                        logger: logger, outboxChanged: parts.outboxChanged))
    }
    // READY=1, STATUS= and the watchdog for systemd (nothing without $NOTIFY_SOCKET).
    let systemd = SystemdService(notifier: SystemdNotifier(), readiness: readiness, parts: parts, logger: logger)

    // Every service runs until shutdown, except the systemd notifier when systemd did not start counterd:
    // it ends at once, and service-lifecycle is told that this ends nothing else.
    let group = ServiceGroup(configuration: .init(
        services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
            + [.init(service: systemd, successTerminationBehavior: systemd.isActive ? .cancelGroup : .ignore)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    return Daemon(group: group, parts: parts)
}

/// Who the counter is: the enrolled identity, else the configured one.
func resolveIdentity(_ configuration: DaemonConfiguration, credential: HubCredential?) throws -> DeviceIdentity {
    if let credential {
        let enrolled = DeviceIdentity(deviceID: credential.deviceID, shopID: credential.shopID)
        if let configured = configuration.identity, configured != enrolled {
            throw ConfigError(key: "device.id", value: configured.deviceID,
                              problem: "differs from the enrolled device \(enrolled.deviceID) of shop \(enrolled.shopID)",
                              fix: "remove device.id and device.shop from the file (enrollment sets them), or re-enroll")
        }
        return enrolled
    }
    guard let identity = configuration.identity else {
        throw ConfigError(key: "device.id", problem: "is missing and this counter is not enrolled",
                          fix: "enroll it with `counterd enroll --config FILE --hub URL --code CODE`, or set device.id and device.shop")
    }
    return identity
}
