import CounterAPIModels
import CounterCore
import CounterLedger
import CounterReceipts
import CounterScan
import Foundation
import Logging
import ServiceLifecycle

/// Tells systemd how counterd is doing (`Type=notify`): `READY=1` once the ledger, every API listener
/// and the scan sources are up; a one-line `STATUS=` (upload queue, last sync, scanners, printer);
/// `WATCHDOG=1` from this loop at half the watchdog interval, so a wedged daemon is restarted; and
/// `STOPPING=1` at shutdown. Does nothing when systemd did not start counterd.
struct SystemdService: Service {
    let notifier: SystemdNotifier
    let readiness: Readiness
    let parts: CounterParts
    let logger: Logger

    /// Whether systemd started counterd; when it did not, this service has nothing to do and returns at once
    /// (``buildDaemon(_:logger:onReady:)`` lets it end without ending the group).
    var isActive: Bool { notifier.isActive }

    func run() async throws {
        guard notifier.isActive else { return }
        await readiness.waitUntilReady()
        var status = await summary()
        notifier.send("READY=1\nSTATUS=\(status)")
        logger.info("told systemd: ready", metadata: ["status": "\(status)"])
        let period = min(notifier.watchdogInterval ?? .seconds(10), .seconds(10))
        while !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: period)
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            let now = await summary()
            var message = notifier.watchdogInterval == nil ? "" : "WATCHDOG=1"
            if now != status {
                status = now
                message += (message.isEmpty ? "" : "\n") + "STATUS=\(now)"
            }
            if !message.isEmpty { notifier.send(message) }
        }
        notifier.send("STOPPING=1")
    }

    /// One line for `systemctl status`. Runs every watchdog tick, so it reads no table counts
    /// (`status()` counts every token: with a million-token cache that was 0.14 s of CPU a minute).
    func summary() async -> String {
        var parts: [String] = []
        if let pending = try? await self.parts.ledger.pendingUploadCount() {
            parts.append("upload queue \(pending)")
        }
        if self.parts.syncer == nil {
            parts.append("not enrolled")
        } else if let state = try? await self.parts.ledger.syncState() {
            let age = state.lastCompleteSyncAt.map { "\(Int(saturating: Date().timeIntervalSince($0))) s ago" } ?? "never"
            parts.append(state.lastError == nil ? "synced \(age)" : "sync failing")
        }
        let scanners = await self.parts.scanners.all()
        let reading = scanners.filter { $0.state == .reading }.count
        let failing = scanners.filter { $0.state == .error }.count
        parts.append("scanners \(reading) ready" + (failing > 0 ? ", \(failing) failing" : ""))
        if let printer = try? await self.parts.receipts.printerInfo() { parts.append("printer \(printer.state)") }
        return parts.joined(separator: ", ")
    }
}

/// Counts the API listeners that accept connections, for `READY=1`.
actor Readiness {
    private let expected: Int
    private var ready = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(expected: Int) { self.expected = expected }

    func listenerReady() {
        ready += 1
        guard ready >= expected else { return }
        waiters.forEach { $0.resume() }
        waiters.removeAll()
    }

    func waitUntilReady() async {
        guard ready < expected else { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}
