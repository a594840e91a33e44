import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterLedger
import CounterReceipts
import CounterScan
import Foundation
import Hummingbird

/// `GET /api/v1/status`: the counter's identity, ledger counts, sync progress, printing, and the
/// warnings a person should act on.
struct StatusController: Controller {
    let ledger: Ledger
    let timeZone: TimeZone
    let voidWindow: Duration
    let startedAt: Date
    let sources: [StatusResponse.SourceInfo]
    /// The hub as people may see it (``redactedHubURL(_:)``); `nil` when not enrolled.
    let hubURL: String?
    let scanners: ScannerRegistry
    let receipts: ReceiptService

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.group("api/v1").get("status") { _, _ in
            JSONResponse(try await status())
        }
    }

    func status() async throws -> StatusResponse {
        let counts = try await ledger.status()
        var status = StatusResponse(
            version: CounterVersion.current, deviceId: counts.identity.deviceID, shopId: counts.identity.shopID,
            timeZone: timeZone.identifier, startedAt: startedAt, voidWindowSeconds: Int(voidWindow.components.seconds),
            ledger: .init(lastSequence: counts.lastSequence, redemptions: counts.redemptions, voids: counts.voids,
                          rejections: counts.rejections, outboxPending: counts.outboxPending,
                          outboxDead: counts.outboxDead, tokens: counts.tokens, campaigns: counts.campaigns,
                          signingKeys: counts.signingKeys),
            sources: sources)
        if let hubURL {
            try await addSyncStatus(to: &status, hubURL: hubURL)
        }
        status.warnings += await scanners.all().filter { $0.state == .error }.map { status in
            "scanner \(status.source) cannot be read: \(status.problem ?? "unknown problem"); \(status.fix ?? "run `counterctl doctor`")"
        }
        if let last = try await ledger.closedShifts(limit: 1).first {
            let info = StatusResponse.ReconciliationInfo(last)
            status.reconciliation = info
            if info.status == "mismatched" {
                status.warnings.append("对账不一致: the hub lacks \(info.missingEvents) event(s) of the \(info.kind) close \(info.shiftId); "
                                       + "counterd sends them again at the next upload (counterctl sync)")
            }
        }
        status.training = try await ledger.trainingMode()
        if status.training == true {
            status.warnings.append("练习模式 training mode is on: only practice codes redeem; a manager turns it off (counterctl training off)")
        }
        status.clockHighWaterAt = try await ledger.clockHighWater()
        if let highWater = status.clockHighWaterAt, Date() < highWater - Ledger.clockTolerance {
            status.warnings.append("the clock was set back: it is \(Int(saturating: highWater.timeIntervalSinceNow / 60)) minutes behind "
                                   + "the latest time this counter has seen; codes are judged at that time and redemptions are "
                                   + "flagged clock_suspect; fix the time (timedatectl / NTP)")
        }
        if receipts.configuration.enabled {
            let printing = try await receipts.status()
            status.printing = printing
            if printing.pending > 0, let oldest = printing.oldestPendingAt, Date().timeIntervalSince(oldest) > 30 {
                status.warnings.append("\(printing.pending) receipt(s) waiting for the printer: \(printing.lastError ?? "no error yet")")
            }
            if printing.failed > 0 {
                status.warnings.append("\(printing.failed) receipt(s) could not be printed; reprint them with `counterctl receipt reprint ID`")
            }
        }
        return status
    }

    /// Fills in sync progress and the warnings a person should act on.
    private func addSyncStatus(to status: inout StatusResponse, hubURL: String) async throws {
        let state = try await ledger.syncState()
        let outbox = try await ledger.outboxCounts()
        let dead = try await ledger.deadLetters(limit: 20)
        let now = Date()
        let age = state.lastCompleteSyncAt.map { Int(saturating: now.timeIntervalSince($0)) }
        status.sync = .init(hubUrl: hubURL, position: state.position, resyncInProgress: state.resyncInProgress,
                            lastCompleteSyncAt: state.lastCompleteSyncAt, dataAgeSeconds: age,
                            maxDataAgeSeconds: state.maxDataAge.map { Int($0) }, clockOffsetSeconds: state.serverTimeOffset,
                            lastError: state.lastError, outboxDelivered: outbox.delivered, outboxConflicts: outbox.conflicts,
                            oldestPendingAt: outbox.oldestPendingAt, deadLetters: dead.map(StatusResponse.DeadLetterInfo.init))
        status.warnings = SyncWarnings.evaluate(state: state, dead: outbox.dead, now: now)
    }
}

extension StatusResponse.SourceInfo {
    init(_ scanner: ScannerConfiguration) {
        switch scanner {
        case .terminal(let name): self.init(name: name, kind: "terminal", path: nil)
        case .serial(let serial): self.init(name: serial.name, kind: "serial", path: serial.path)
        }
    }
}
