import CounterAPIModels
import CounterCore
import CounterCUPS
import CounterLedger
import CounterPrint
import Foundation
import Logging
import ServiceLifecycle

/// Prints receipts: renders queued receipt jobs to ESC/POS, hands them to CUPS, follows them to
/// the end, and retries with backoff while CUPS or the queue is unavailable. A redemption never
/// waits for it: jobs are queued after the redemption committed.
public final class ReceiptService: Service, Sendable {
    public let configuration: PrinterConfiguration
    let ledger: Ledger
    let cups: CUPSClient
    let composer: ReceiptComposer
    let logger: Logger
    let profileDirectories: [String]
    private let wakeup = Wakeup()
    /// The longest wait between two attempts at one receipt.
    static let maximumBackoff: TimeInterval = 60

    public init(configuration: PrinterConfiguration, ledger: Ledger, composer: ReceiptComposer, profileDirectories: [String],
         logger: Logger) {
        self.configuration = configuration
        self.ledger = ledger
        self.cups = CUPSClient(server: configuration.cupsServer)
        self.composer = composer
        self.profileDirectories = profileDirectories
        self.logger = logger
        // The first receipt must come out as fast as the rest. Every render needs the bitmap font (unifont,
        // 57 000 glyphs parsed from text on first use: the first receipt's whole extra delay), so it is loaded
        // as soon as the daemon is built, off the cooperative pool; a receipt due meanwhile waits for that load.
        if configuration.enabled { Task.detached(priority: .utility) { _ = BitmapFont.unifont } }
    }

    /// Queues the receipt of a committed redemption or void; failures are logged, never thrown,
    /// because the redemption stands whatever happens to its receipt.
    public func enqueue(_ kind: ReceiptJob.Kind, itemID: String, redemptionID: String, usesLeft: Int?) async {
        guard configuration.enabled else { return }
        do {
            try await ledger.enqueueReceipt(kind, itemID: itemID, redemptionID: redemptionID, usesLeft: usesLeft)
            await wakeup.signal()
        } catch {
            logger.error("receipt not queued", metadata: ["redemption_id": "\(redemptionID)", "error": "\(error)"])
        }
    }

    /// Queues a reprint (marked 重打) of a redemption's receipt, or of its void slip when voided.
    public func reprint(redemptionID: String) async throws -> ReprintResponse? {
        guard try await ledger.receiptFacts(redemptionID: redemptionID) != nil else { return nil }
        let voidID = try await ledger.voidID(ofRedemption: redemptionID)
        let kind: ReceiptJob.Kind = voidID == nil ? .redemption : .void
        let id = try await ledger.enqueueReceipt(kind, itemID: voidID ?? redemptionID, redemptionID: redemptionID,
                                                 usesLeft: nil, reprint: true)
        await wakeup.signal()
        return ReprintResponse(redemptionId: redemptionID, receiptJobId: id ?? 0, kind: kind.rawValue)
    }

    /// The bytes a receipt prints as (a reprint when `reprint`); `nil` for an unknown redemption.
    public func receiptBytes(redemptionID: String, reprint: Bool) async throws -> (kind: ReceiptJob.Kind, bytes: [UInt8])? {
        let voidID = try await ledger.voidID(ofRedemption: redemptionID)
        guard let facts = try await ledger.receiptFacts(redemptionID: redemptionID, voidID: voidID) else { return nil }
        let usesLeft = try await ledger.originalReceiptUsesLeft(redemptionID: redemptionID)
        return (voidID == nil ? .redemption : .void, render(facts, usesLeft: usesLeft, reprint: reprint))
    }

    func render(_ facts: ReceiptFacts, usesLeft: Int?, reprint: Bool) -> [UInt8] {
        let profile = configuration.profile
        var document = ReceiptLayout.document(for: composer.content(facts, usesLeft: usesLeft, reprint: reprint), profile: profile)
        if configuration.kickDrawer, facts.void == nil, !reprint, let pin = profile.drawerPins.first.flatMap(UInt8.init(exactly:)) {
            document.elements.append(.drawer(pin: pin))
        }
        return EscPosEncoder(profile: profile).encode(document)
    }

    /// Prints the test page for `profileID` (default: the configured profile) on `printer`
    /// (default: the configured queue, else the CUPS default).
    public func printTest(printer: String?, profileID: String?) async throws -> PrintJobResponse {
        let profile = try profileID.map { try PrinterProfiles.find($0, in: profileDirectories, key: "--profile") }
            ?? configuration.profile
        if let printer, !(try await cups.destinations()).contains(where: { $0.name == printer }) {
            throw ConfigError(key: "printer", value: printer, problem: "is not a queue that CUPS lists",
                              fix: "name one of the queues `counterctl printers` shows")
        }
        let bytes = EscPosEncoder(profile: profile).encode(TestPage.document(for: profile))
        let job = try await cups.submitRaw(bytes, to: printer ?? configuration.destination, title: "counterd print test")
        logger.notice("print test sent", metadata: ["printer": "\(job.destination)", "job": "\(job.jobID)", "profile": "\(profile.id)"])
        return PrintJobResponse(printer: job.destination, jobId: Int(job.jobID), profile: profile.id)
    }

    /// The 交班单 of a shift report, as it prints on the configured profile.
    public func shiftSlipBytes(_ report: ShiftReport) async throws -> [UInt8] {
        let shopName = try await ledger.syncState().shopName ?? composer.fallbackShopName ?? ledger.identity.shopID
        let content = ShiftSlipComposer(timeZone: composer.timeZone).content(report, shopName: shopName,
                                                                              deviceID: ledger.identity.deviceID)
        return EscPosEncoder(profile: configuration.profile).encode(ShiftSlipLayout.document(for: content, profile: configuration.profile))
    }

    /// Prints a shift report's 交班单 on the receipt printer now (not through the receipt queue: the report stays in
    /// the ledger, and printing it again is one request).
    public func printShiftSlip(_ report: ShiftReport) async throws -> PrintJobResponse {
        let bytes = try await shiftSlipBytes(report)
        let job = try await cups.submitRaw(bytes, to: configuration.destination, title: "counterd shift \(report.shiftId)")
        logger.notice("shift slip sent", metadata: ["printer": "\(job.destination)", "job": "\(job.jobID)", "shift_id": "\(report.shiftId)"])
        return PrintJobResponse(printer: job.destination, jobId: Int(job.jobID), profile: configuration.profile.id)
    }

    /// The CUPS destinations and which one receipts go to.
    public func printers() async -> PrintersResponse {
        var response = PrintersResponse(printingEnabled: configuration.enabled, cupsServer: cups.serverDescription,
                                        configured: configuration.destination, used: nil, profile: configuration.profile.id,
                                        destinations: [], error: nil)
        do {
            let destinations = try await cups.destinations()
            response.cupsReachable = true
            response.destinations = destinations.map {
                .init(name: $0.name, isDefault: $0.isDefault, state: $0.state, stateReasons: $0.stateReasons,
                      acceptingJobs: $0.acceptingJobs, deviceUri: $0.deviceURI, info: $0.info)
            }
            if let configured = configuration.destination {
                response.used = destinations.contains { $0.name == configured } ? configured : nil
                if response.used == nil { response.error = "the configured queue '\(configured)' is not in CUPS" }
            } else {
                response.used = destinations.first { $0.isDefault }?.name
                if response.used == nil { response.error = "CUPS has no default printer; set printer.destination" }
            }
        } catch {
            response.cupsReachable = false
            response.error = "\(error)"
        }
        return response
    }

    /// The receipt section of `status`.
    /// The printer as `GET /api/v1/devices` and systemd's status line show it; `nil` when printing is off.
    public func printerInfo() async throws -> DevicesResponse.PrinterInfo? {
        guard configuration.enabled else { return nil }
        let printing = try await status()
        let state = printing.lastError != nil && printing.pending > 0 ? "failing" : printing.pending > 0 ? "printing" : "ready"
        return .init(destination: printing.destination, profile: printing.profile, state: state,
                     problem: printing.pending > 0 ? printing.lastError : nil)
    }

    public func status() async throws -> PrintingStatus {
        let counts = try await ledger.receiptQueueCounts()
        return PrintingStatus(destination: configuration.destination, profile: configuration.profile.id,
                              cupsServer: cups.serverDescription, pending: counts.pending, submitted: counts.submitted,
                              printed: counts.printed, failed: counts.failed, oldestPendingAt: counts.oldestPendingAt,
                              lastError: counts.lastError)
    }

    public func run() async throws {
        logger.info("printing receipts", metadata: ["printer": "\(configuration.destination ?? "(CUPS default)")",
                                                    "profile": "\(configuration.profile.id)", "cups": "\(cups.serverDescription)"])
        await withGracefulShutdownHandler {
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let followUp = await printDue()
                let watching = await followSubmitted()
                let next = (try? await ledger.nextReceiptAttempt()) ?? nil
                var wait = next.map { Swift.min(3600, Swift.max(0.05, $0.timeIntervalSinceNow)) } ?? 3600
                if watching || followUp { wait = min(wait, 1) }
                await wakeup.wait(timeout: .milliseconds(Int(saturating: wait * 1000)))
            }
        } onGracefulShutdown: { [wakeup] in
            Task { await wakeup.signal() }
        }
    }

    /// Submits every due receipt; returns whether something was submitted.
    @discardableResult
    public func printDue(now: Date = Date()) async -> Bool {
        guard let jobs = try? await ledger.dueReceiptJobs(now: now) else { return false }
        var submitted = false
        for job in jobs {
            if await submit(job) { submitted = true } else { break }
        }
        return submitted
    }

    /// One attempt at one job. On failure the job waits its backoff, and so do the rest (`false`).
    private func submit(_ job: ReceiptJob) async -> Bool {
        do {
            let voidID = job.kind == .void ? job.itemID : nil
            guard let facts = try await ledger.receiptFacts(redemptionID: job.redemptionID, voidID: voidID) else {
                try await ledger.markReceiptFinished(job.id, printed: false, error: "the redemption is not in the ledger")
                return true
            }
            let bytes = render(facts, usesLeft: job.usesLeft, reprint: job.isReprint)
            let title = "receipt \(job.kind.rawValue) \(job.redemptionID)\(job.isReprint ? " reprint" : "")"
            let accepted = try await cups.submitRaw(bytes, to: configuration.destination, title: title)
            try await ledger.markReceiptSubmitted(job.id, printer: accepted.destination, cupsJobID: accepted.jobID)
            logger.info("receipt sent", metadata: ["redemption_id": "\(job.redemptionID)", "kind": "\(job.kind.rawValue)",
                                                   "printer": "\(accepted.destination)", "cups_job": "\(accepted.jobID)",
                                                   "reprint": "\(job.isReprint)"])
            return true
        } catch {
            let delay = min(Self.maximumBackoff, pow(2, Double(min(job.attempts, 6))))
            try? await ledger.markReceiptRetry(job.id, error: "\(error)", next: Date().addingTimeInterval(delay))
            logger.warning("receipt waits for the printer", metadata: [
                "redemption_id": "\(job.redemptionID)", "attempt": "\(job.attempts + 1)",
                "retry_in_s": "\(Int(delay))", "error": "\(error)"])
            return false
        }
    }

    /// Reads the state of jobs CUPS is printing; returns whether any is still in progress.
    private func followSubmitted() async -> Bool {
        guard let jobs = try? await ledger.submittedReceiptJobs(), !jobs.isEmpty else { return false }
        var inProgress = false
        for job in jobs {
            guard let cupsJob = job.cupsJobID else { continue }
            do {
                let (state, reasons) = try await cups.jobState(cupsJob)
                switch state {
                case .completed:
                    try await ledger.markReceiptFinished(job.id, printed: true)
                case .canceled, .aborted:
                    let error = "CUPS \(state.name) job \(cupsJob) (\(reasons.joined(separator: ", ")))"
                    try await ledger.markReceiptFinished(job.id, printed: false, error: error)
                    logger.error("receipt not printed", metadata: ["redemption_id": "\(job.redemptionID)", "error": "\(error)"])
                default:
                    inProgress = true
                    let waiting = reasons.filter { $0 != "none" && $0 != "job-printing" }
                    try await ledger.noteReceiptProgress(job.id, error: waiting.isEmpty ? nil
                        : "CUPS job \(cupsJob) \(state.name): \(waiting.joined(separator: ", "))")
                }
            } catch let error as CUPSError where error.kind == .jobNotFound {
                try? await ledger.markReceiptFinished(job.id, printed: false, error: error.message)
            } catch {
                inProgress = true  // CUPS is away; ask again later.
            }
        }
        return inProgress
    }
}
