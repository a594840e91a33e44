import CounterAPI
import CounterCore
import CounterLedger
import CounterScan
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// The assembled daemon: its service group and the parts tests and the CLI want to reach.
public struct Daemon: Sendable {
    public let group: ServiceGroup
    public let redeemer: Redeemer
    public let ledger: Ledger

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
    let ledger = try Ledger(path: configuration.ledgerPath, identity: configuration.identity)
    if configuration.loadDemoData, try await ledger.isCacheEmpty() {
        try await ledger.apply(DemoData.cacheUpdate(now: Date()))
        logger.notice("demo data loaded", metadata: ["codes": "\(DemoData.codes.count)"])
    }
    var present: (@Sendable (Verdict, String) -> Void)?
    if configuration.hasTerminalSource {
        let presenter = TerminalPresenter(timeZone: configuration.timeZone)
        present = { verdict, source in presenter.present(verdict, source: source) }
    }
    let redeemer = Redeemer(ledger: ledger, configuration: configuration, logger: logger, presenter: present)

    var services = try makeAPIServices(operations: redeemer, listeners: configuration.api, logger: logger,
                                       onReady: onReady)
    let sources: [any ScanSource] = configuration.scanners.map { scanner in
        switch scanner {
        case .terminal(let name):
            return TerminalScanSource(name: name, logger: logger)
        case .serial(let serial):
            return SerialScanSource(configuration: serial, logger: logger)
        }
    }
    services.append(ScanService(sources: sources, redeemer: redeemer, logger: logger))

    let group = ServiceGroup(configuration: .init(
        services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    return Daemon(group: group, redeemer: redeemer, ledger: ledger)
}
