import CounterAPIModels
import CounterCore
import CounterLedger
import CounterReceipts
import CounterScan
import Foundation
import Logging

/// The counter's one path from a code to a committed verdict: scans from every source and requests
/// from the API come here. It redeems through the ledger, logs each verdict in one structured line,
/// counts it, and hands it on: to the terminal presenter, the live page (`verdicts`), the receipt
/// printer and the uploader.
public final class Redeemer: Sendable {
    public let ledger: Ledger
    let timeZone: TimeZone
    let logger: Logger
    let presenter: (@Sendable (Verdict, String) -> Void)?
    /// Called after every recorded verdict, so the uploader sends it soon.
    let outboxChanged: @Sendable () -> Void
    /// Prints receipts of accepted redemptions.
    let receipts: ReceiptService?
    /// Every verdict as it is decided, for the live page (`GET /api/v1/events`).
    let verdicts = Broadcaster<VerdictEventMessage>()
    /// Verdict counts and latency, and the state gauges of `GET /metrics`.
    public let metrics: DaemonMetrics
    /// Who a hardware scan is attributed to; `nil` in tools and tests without staff.
    let staff: StaffDesk?

    public init(ledger: Ledger, timeZone: TimeZone, logger: Logger, metrics: DaemonMetrics = DaemonMetrics(),
                presenter: (@Sendable (Verdict, String) -> Void)? = nil, outboxChanged: @escaping @Sendable () -> Void = {},
                receipts: ReceiptService? = nil, staff: StaffDesk? = nil) {
        self.ledger = ledger
        self.timeZone = timeZone
        self.logger = logger
        self.metrics = metrics
        self.presenter = presenter
        self.outboxChanged = outboxChanged
        self.receipts = receipts
        self.staff = staff
    }

    /// Handles one framed scan from a source. It is attributed to the staff member signed in at the counter; while
    /// the shop has staff and nobody is signed in, a complete scan is refused with `no_staff`.
    public func handle(_ event: ScanEvent) async {
        let started = ContinuousClock.now
        do {
            let member = try await staff?.memberAtCounter()
            let verdict: Verdict
            switch event.completion {
            case .complete:
                if let staff, let code = try? CanonicalCode(event.text), StaffBadge.isBadge(code) {
                    // A staff badge signs its holder in; it is never redeemed or recorded as a scan.
                    do {
                        let holder = try await staff.signIn(badge: code, at: event.receivedAt)
                        presenter?(Verdict(reason: .ok, detail: "staff badge: \(holder.name) signed in"), event.source)
                    } catch {
                        logger.warning("staff badge not accepted", metadata: ["source": "\(event.source)", "error": "\(error)"])
                    }
                    return
                }
                if member == nil, try await staff?.isRequired() == true {
                    verdict = try await ledger.refuseWithoutStaff(event.text, source: event.source, at: event.receivedAt)
                } else {
                    verdict = try await ledger.redeem(event.text, source: event.source, staffID: member?.id, at: event.receivedAt)
                }
            case .incomplete:
                verdict = try await ledger.recordMalformedScan(
                    MalformedCode(.incompleteScan, detail: "\(event.bytes.count) bytes without terminator"),
                    source: event.source, staffID: member?.id, at: event.receivedAt)
            case .overlong(let count):
                verdict = try await ledger.recordMalformedScan(
                    MalformedCode(.tooLong, detail: "\(count) bytes"), source: event.source, staffID: member?.id, at: event.receivedAt)
            }
            finish(verdict, source: event.source, staffID: member?.id, started: started)
            await queueReceipt(verdict)
        } catch {
            logger.error("scan not recorded", metadata: ["source": "\(event.source)", "error": "\(error)"])
        }
    }

    /// Redeems a code a request sent (`POST /api/v1/redeem`), for the staff member the request acts for.
    public func redeem(code: String, uses: Int, source: String, staffID: String? = nil) async throws -> Verdict {
        let started = ContinuousClock.now
        let verdict = try await ledger.redeem(code, uses: uses, source: source, staffID: staffID)
        finish(verdict, source: source, staffID: staffID, started: started)
        await queueReceipt(verdict)
        return verdict
    }

    /// Every verdict from now on, until ``endVerdicts()``.
    func subscribeVerdicts() -> AsyncStream<VerdictEventMessage> { verdicts.subscribe() }

    /// Ends the verdict streams (at shutdown: the HTTP listener waits for open requests, and a stream
    /// would never end by itself).
    func endVerdicts() { verdicts.finish() }

    /// Queues the receipt of an accepted redemption (after its commit).
    private func queueReceipt(_ verdict: Verdict) async {
        guard verdict.isAccepted, let redemption = verdict.redemption else { return }
        let id = redemption.id.lowercasedString
        await receipts?.enqueue(.redemption, itemID: id, redemptionID: id, usesLeft: verdict.usesLeft)
    }

    /// Logs a verdict in one line (no code, only its token id), counts it, and presents it.
    private func finish(_ verdict: Verdict, source: String, staffID: String?, started: ContinuousClock.Instant) {
        metrics.recordVerdict(accepted: verdict.isAccepted, reason: verdict.reason.rawValue, duration: ContinuousClock.now - started)
        var metadata: Logger.Metadata = [
            "verdict": "\(verdict.isAccepted ? "accepted" : "rejected")",
            "reason": "\(verdict.reason.rawValue)",
            "source": "\(source)",
            "device_id": "\(ledger.identity.deviceID)",
        ]
        if let id = verdict.redemption?.id { metadata["redemption_id"] = "\(id.lowercasedString)" }
        if let sequence = verdict.redemption?.deviceSequence { metadata["device_sequence"] = "\(sequence)" }
        if let token = verdict.tokenID { metadata["token_id"] = "\(token.hex)" }
        if let campaign = verdict.campaign?.id { metadata["campaign_id"] = "\(campaign)" }
        if let left = verdict.usesLeft { metadata["uses_left"] = "\(left)" }
        if let via = verdict.via { metadata["via"] = "\(via.rawValue)" }
        if let detail = verdict.detail { metadata["detail"] = "\(detail)" }
        if let staffID { metadata["staff_id"] = "\(staffID)" }
        logger.info("verdict", metadata: metadata)
        outboxChanged()
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
