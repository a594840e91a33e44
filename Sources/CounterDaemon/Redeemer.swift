import CounterAPI
import CounterAPIModels
import CounterCore
import CounterCUPS
import CounterLedger
import CounterPrint
import CounterReceipts
import CounterScan
import CounterSync
import CounterSyncModels
import Foundation
import Hummingbird
import Logging

/// The counter's one path from a code to a committed verdict: scans from every source and requests
/// from the API come here. It redeems through the ledger, logs each verdict in one structured line,
/// and hands it to the presenter.
public final class Redeemer: CounterOperations {
    public let ledger: Ledger
    public let timeZone: TimeZone
    let voidWindow: Duration
    let logger: Logger
    let startedAt: Date
    let sources: [StatusResponse.SourceInfo]
    let presenter: (@Sendable (Verdict, String) -> Void)?
    let syncer: Syncer?
    let hubURL: String?
    /// Prints receipts and renders previews.
    let receipts: ReceiptService?
    /// What every scanner is doing.
    let scanners: ScannerRegistry
    /// Every verdict as it is decided, for the live page (`GET /api/v1/events`).
    let verdicts = Broadcaster<VerdictEventMessage>()
    /// Verdict counts and latency, and the state gauges of `GET /metrics`.
    public let metrics = DaemonMetrics()
    /// The configuration the daemon runs with (for diagnostics).
    let configuration: DaemonConfiguration

    public init(ledger: Ledger, configuration: DaemonConfiguration, logger: Logger,
                presenter: (@Sendable (Verdict, String) -> Void)? = nil, syncer: Syncer? = nil, hubURL: String? = nil,
                receipts: ReceiptService? = nil, scanners: ScannerRegistry = ScannerRegistry()) {
        self.configuration = configuration
        self.receipts = receipts
        self.scanners = scanners
        self.syncer = syncer
        self.hubURL = hubURL
        self.ledger = ledger
        self.timeZone = configuration.timeZone
        self.voidWindow = configuration.voidWindow
        self.logger = logger
        self.startedAt = Date()
        self.presenter = presenter
        self.sources = configuration.scanners.map { scanner in
            switch scanner {
            case .terminal(let name): return .init(name: name, kind: "terminal", path: nil)
            case .serial(let serial): return .init(name: serial.name, kind: "serial", path: serial.path)
            }
        }
    }

    /// Handles one framed scan from a source.
    public func handle(_ event: ScanEvent) async {
        let started = ContinuousClock.now
        do {
            let verdict: Verdict
            switch event.completion {
            case .complete:
                verdict = try await ledger.redeem(event.text, source: event.source, at: event.receivedAt)
            case .incomplete:
                verdict = try await ledger.recordMalformedScan(
                    MalformedCode(.incompleteScan, detail: "\(event.bytes.count) bytes without terminator"),
                    source: event.source, at: event.receivedAt)
            case .overlong(let count):
                verdict = try await ledger.recordMalformedScan(
                    MalformedCode(.tooLong, detail: "\(count) bytes"), source: event.source, at: event.receivedAt)
            }
            finish(verdict, source: event.source, started: started)
            await queueReceipt(verdict)
        } catch {
            logger.error("scan not recorded", metadata: ["source": "\(event.source)", "error": "\(error)"])
        }
    }

    public func redeem(code: String, uses: Int, source: String) async throws -> Verdict {
        let started = ContinuousClock.now
        let verdict = try await ledger.redeem(code, uses: uses, source: source)
        finish(verdict, source: source, started: started)
        await queueReceipt(verdict)
        return verdict
    }

    public func check(code: String, uses: Int) async throws -> Verdict {
        try await ledger.check(code, uses: uses)
    }

    public func void(redemptionID: UUID, reason: String, source: String) async throws -> VoidOutcome {
        let outcome = try await ledger.void(redemptionID: redemptionID, reason: reason, source: source,
                                            window: voidWindow.timeInterval)
        var metadata: Logger.Metadata = ["status": "\(outcome.status.rawValue)", "redemption_id": "\(redemptionID.uuidString.lowercased())",
                                         "source": "\(source)", "device_id": "\(ledger.identity.deviceID)"]
        if let sequence = outcome.deviceSequence { metadata["device_sequence"] = "\(sequence)" }
        logger.info("void", metadata: metadata)
        if outcome.isVoided {
            metrics.recordVoid()
            syncer?.outboxChanged()
            if let voidID = outcome.voidID {
                await receipts?.enqueue(.void, itemID: voidID.uuidString.lowercased(), redemptionID: redemptionID.uuidString.lowercased(),
                                        usesLeft: outcome.usesLeft)
            }
        }
        return outcome
    }

    public func outbox(state: String, limit: Int) async throws -> OutboxListResponse {
        let state = OutboxState(rawValue: state) ?? .dead
        let entries = try await ledger.outboxEntries(state: state, limit: limit).map { entry in
            OutboxListResponse.Entry(eventId: entry.eventID, kind: entry.kind.rawValue, state: entry.state.rawValue,
                                     attempts: entry.attempts, refusals: entry.refusals, lastError: entry.lastError,
                                     createdAt: entry.createdAt, failedAt: entry.failedAt)
        }
        return OutboxListResponse(state: state.rawValue, entries: entries)
    }

    public func retryOutbox(eventIDs: [String]?) async throws -> OutboxRetryResponse {
        let requeued = try await ledger.requeueDeadLetters(eventIDs)
        logger.notice("dead letters re-queued", metadata: ["count": "\(requeued.count)", "event_ids": "\(requeued.joined(separator: ","))"])
        if !requeued.isEmpty { syncer?.outboxChanged() }
        return OutboxRetryResponse(requeued: requeued)
    }

    public func history(limit: Int) async throws -> [RedemptionSummary] {
        try await ledger.history(limit: limit)
    }

    public func syncNow(progress: @escaping @Sendable (DownloadReport) -> Void) async throws -> SyncNowReport? {
        await syncer?.syncNow(progress: progress)
    }

    public var isEnrolled: Bool { syncer != nil }

    public func status() async throws -> StatusResponse {
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
        status.warnings += await scannerWarnings()
        status.clockHighWaterAt = try await ledger.clockHighWater()
        if let highWater = status.clockHighWaterAt, Date() < highWater - Ledger.clockTolerance {
            status.warnings.append("the clock was set back: it is \(Int(saturating: highWater.timeIntervalSinceNow / 60)) minutes behind "
                                   + "the latest time this counter has seen; codes are judged at that time and redemptions are "
                                   + "flagged clock_suspect; fix the time (timedatectl / NTP)")
        }
        if let receipts, receipts.configuration.enabled {
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
                            oldestPendingAt: outbox.oldestPendingAt,
                            deadLetters: dead.map { .init(eventId: $0.eventID, kind: $0.kind.rawValue, reason: $0.reason,
                                                          failedAt: $0.failedAt) })
        status.warnings = SyncWarnings.evaluate(state: state, dead: outbox.dead, now: now)
    }


    /// Queues the receipt of an accepted redemption (after its commit).
    private func queueReceipt(_ verdict: Verdict) async {
        guard verdict.isAccepted, let redemption = verdict.redemption else { return }
        let id = redemption.id.uuidString.lowercased()
        await receipts?.enqueue(.redemption, itemID: id, redemptionID: id, usesLeft: verdict.usesLeft)
    }

    public func printers() async throws -> PrintersResponse {
        guard let receipts else { throw APIError.printingUnavailable }
        return await receipts.printers()
    }

    public func printTest(printer: String?, profile: String?) async throws -> PrintJobResponse {
        guard let receipts else { throw APIError.printingUnavailable }
        do {
            return try await receipts.printTest(printer: printer, profileID: profile)
        } catch let error as ConfigError {
            throw APIError(.badRequest, code: error.key == "printer" ? "unknown_printer" : "unknown_profile", message: error.description)
        } catch let error as CUPSError {
            throw APIError(.serviceUnavailable, code: "cups_\(error.kind.rawValue)", message: error.message)
        }
    }

    public func reprint(redemptionID: UUID) async throws -> ReprintResponse {
        guard let receipts, receipts.configuration.enabled else {
            throw APIError(.conflict, code: "printing_off",
                           message: "printing is off; add a printer: section to the configuration (docs/printers.md)")
        }
        guard let response = try await receipts.reprint(redemptionID: redemptionID.uuidString.lowercased()) else {
            throw APIError(.notFound, code: "not_found", message: "no redemption \(redemptionID.uuidString.lowercased()) on this counter")
        }
        logger.info("reprint queued", metadata: ["redemption_id": "\(response.redemptionId)", "kind": "\(response.kind)"])
        return response
    }

    public func receipt(redemptionID: UUID, reprint: Bool) async throws -> ReceiptBytesResponse {
        let id = redemptionID.uuidString.lowercased()
        guard let receipts, let receipt = try await receipts.receiptBytes(redemptionID: id, reprint: reprint) else {
            throw APIError(.notFound, code: "not_found", message: "no redemption \(id) on this counter")
        }
        let profile = receipts.configuration.profile
        return ReceiptBytesResponse(redemptionId: id, kind: receipt.kind.rawValue, profile: profile.id,
                                    paperWidthDots: profile.paperWidthDots, escpos: Data(receipt.bytes).base64EncodedString())
    }

    /// Logs a verdict in one line (no code, only its token id), counts it, and presents it.
    private func finish(_ verdict: Verdict, source: String, started: ContinuousClock.Instant) {
        metrics.recordVerdict(accepted: verdict.isAccepted, reason: verdict.reason.rawValue, duration: ContinuousClock.now - started)
        var metadata: Logger.Metadata = [
            "verdict": "\(verdict.isAccepted ? "accepted" : "rejected")",
            "reason": "\(verdict.reason.rawValue)",
            "source": "\(source)",
            "device_id": "\(ledger.identity.deviceID)",
        ]
        if let id = verdict.redemption?.id { metadata["redemption_id"] = "\(id.uuidString.lowercased())" }
        if let sequence = verdict.redemption?.deviceSequence { metadata["device_sequence"] = "\(sequence)" }
        if let token = verdict.tokenID { metadata["token_id"] = "\(token.hex)" }
        if let campaign = verdict.campaign?.id { metadata["campaign_id"] = "\(campaign)" }
        if let left = verdict.usesLeft { metadata["uses_left"] = "\(left)" }
        if let via = verdict.via { metadata["via"] = "\(via.rawValue)" }
        if let detail = verdict.detail { metadata["detail"] = "\(detail)" }
        logger.info("verdict", metadata: metadata)
        syncer?.outboxChanged()
        presenter?(verdict, source)
        if verdicts.subscriberCount > 0 {
            verdicts.publish(VerdictEventMessage(source: source, at: Date(), verdict: VerdictResponse(verdict, timeZone: timeZone)))
        }
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var timeInterval: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}

/// The version string of this build.
public enum CounterVersion {
    public static let current = "0.1.0"
}
