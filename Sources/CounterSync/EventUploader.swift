import CounterCore
import CounterLedger
import CounterSyncModels
import Foundation
import Logging

/// Sends pending outbox events in batches until none are left. Delivery is at-least-once; the hub's
/// permanent unique event ids make it exactly-once in effect. Permanent refusals become dead letters.
public struct EventUploader: Sendable {
    let ledger: Ledger
    let client: HubClient
    let deviceID: String
    let batchSize: Int
    let logger: Logger

    public init(ledger: Ledger, client: HubClient, deviceID: String, batchSize: Int = 500, logger: Logger) {
        self.ledger = ledger
        self.client = client
        self.deviceID = deviceID
        self.batchSize = batchSize
        self.logger = logger
    }

    public func run() async throws(SyncError) -> UploadReport {
        var report = UploadReport()
        while true {
            let batch: [OutboxEvent]
            do {
                batch = try await ledger.pendingOutbox(limit: batchSize)
            } catch {
                throw .invalidResponse("ledger: \(error)")
            }
            if batch.isEmpty { break }
            try await send(batch, into: &report)
        }
        if report.batches > 0 {
            logger.info("sync upload", metadata: ["outcome": "ok", "accepted": "\(report.accepted)",
                                                  "duplicates": "\(report.duplicates)", "conflicts": "\(report.conflicts)",
                                                  "rejected": "\(report.rejected)", "acknowledged": "\(report.acknowledgedSequence)"])
        }
        return report
    }

    /// Sends one batch; a batch the hub refuses as a whole is split until the bad event stands alone.
    private func send(_ batch: [OutboxEvent], into report: inout UploadReport) async throws(SyncError) {
        // The backlog is health information for the hub's operators; a ledger that cannot count sends none.
        let backlog = try? await ledger.pendingUploadCount()
        let request = EventsRequest(deviceId: deviceID, events: batch.map(Self.wire), sentAt: Date(),
                                    backlog: backlog.map(Int64.init))
        let response: EventsResponse
        do {
            response = try await client.events(request)
        } catch {
            // 413 from anyone (a proxy's body limit too) splits the batch: smaller batches are always safe to send.
            guard case .refused(let status, let code, _) = error, status == 413 || Self.refusesTheBatch(status: status, code: code) else {
                // 404, another 4xx, or a 400 that is not the hub's own (a proxy's page): a configuration problem,
                // never a reason to give up on an event. They stay pending and are sent again later.
                try? await ledger.recordUploadFailure(eventIDs: batch.map(\.id), error: error.description)
                throw error
            }
            if batch.count > 1 {
                // Both halves go out even when the first holds an event still refused: its neighbours are not held up.
                let half = batch.count / 2
                var refusal: SyncError?
                for part in [Array(batch[..<half]), Array(batch[half...])] {
                    do {
                        try await send(part, into: &report)
                    } catch .refused(let status, let code, let message) {
                        refusal = refusal ?? .refused(status: status, code: code, message: message)
                    }
                }
                if let refusal { throw refusal }
                return
            }
            // One event the hub refuses alone: dead-lettered only when refused several times over hours, since a
            // refusal may still be a misconfigured proxy's that happens to speak the hub's error format.
            let event = batch[0]
            guard Self.refusesTheBatch(status: status, code: code) else {
                try? await ledger.recordUploadFailure(eventIDs: [event.id], error: error.description)
                throw error
            }
            do {
                let now = Date()
                let refusals = try await ledger.recordRefusal(eventID: event.id, error: error.description, at: now)
                guard refusals.count >= Self.deadLetterRefusals, now.timeIntervalSince(refusals.since) >= Self.deadLetterSpan else {
                    throw error
                }
                logger.error("sync upload", metadata: ["outcome": "dead_letter", "event_id": "\(event.id)", "error": "\(error)"])
                try await ledger.deadLetter(eventIDs: [event.id],
                                            reason: "refused \(refusals.count) times since \(RFC3339.string(refusals.since)): \(error)",
                                            at: now)
            } catch let syncError as SyncError {
                throw syncError
            } catch {
                throw .invalidResponse("ledger: \(error)")
            }
            report.rejected += 1
            return
        }
        guard response.results.count == batch.count,
              zip(response.results, batch).allSatisfy({ $0.id.lowercased() == $1.id.lowercased() }) else {
            throw .invalidResponse("events: the results do not match the events sent")
        }
        var results: [(eventID: String, result: DeliveryResult)] = []
        var reconciliations: [(EventsResponse.Reconciliation, OutboxEvent)] = []
        for (result, event) in zip(response.results, batch) {
            if event.kind == .shiftClose, ["accepted", "duplicate"].contains(result.status), let answer = result.reconciliation {
                reconciliations.append((answer, event))
            }
            switch result.status {
            case "accepted": results.append((event.id, .accepted)); report.accepted += 1
            case "duplicate": results.append((event.id, .duplicate)); report.duplicates += 1
            case "conflict": results.append((event.id, .conflict(reason: result.reason))); report.conflicts += 1
            case "rejected": results.append((event.id, .rejected(reason: result.reason))); report.rejected += 1
            default: throw .invalidResponse("events: unknown status \(result.status)")
            }
        }
        do {
            try await ledger.recordDelivery(results, at: Date())
        } catch {
            throw .invalidResponse("ledger: \(error)")
        }
        // After the delivery: a mismatch queues the close again, which the delivery must not mark delivered.
        for (answer, event) in reconciliations { await recordReconciliation(answer, of: event) }
        report.batches += 1
        report.acknowledgedSequence = response.acknowledgedSequence
        // The hub lost events it had acknowledged (restored from an older backup): send them again, once.
        // A number outside the contract's range is ignored rather than taken as "nothing acknowledged".
        guard WireLimits.integers.contains(response.acknowledgedSequence) else { return }
        let requeued: [String]
        do {
            requeued = try await ledger.requeueUnacknowledged(above: response.acknowledgedSequence)
        } catch {
            throw .invalidResponse("ledger: \(error)")
        }
        if !requeued.isEmpty {
            logger.warning("sync upload", metadata: ["outcome": "requeued", "count": "\(requeued.count)",
                                                     "acknowledged": "\(response.acknowledgedSequence)",
                                                     "reason": "the hub no longer holds events it had acknowledged (restored from a backup?)"])
        }
    }

    /// Keeps the hub's 对账 answer for a shift close; on `mismatched`, the events it lacks and the close go out again.
    private func recordReconciliation(_ answer: EventsResponse.Reconciliation, of event: OutboxEvent) async {
        let matched = answer.status == "matched"
        guard matched || answer.status == "mismatched" else { return }
        do {
            let requeued = try await ledger.recordReconciliation(shiftID: event.id, matched: matched,
                                                                 missing: Array(answer.missingSequences.prefix(EventsResponse.Reconciliation.maximumMissing)))
            if matched {
                logger.info("reconciliation", metadata: ["shift_id": "\(event.id)", "outcome": "matched"])
            } else {
                logger.warning("reconciliation", metadata: ["shift_id": "\(event.id)", "outcome": "mismatched",
                                                            "missing": "\(answer.missingSequences.count)", "requeued": "\(requeued.count)"])
            }
        } catch {
            logger.error("reconciliation not recorded", metadata: ["shift_id": "\(event.id)", "error": "\(error)"])
        }
    }

    /// How many refusals of an event sent alone, over at least ``deadLetterSpan``, make it a dead letter.
    static let deadLetterRefusals = 3
    /// The shortest time between the first and the last of those refusals: 2 hours.
    static let deadLetterSpan: TimeInterval = 2 * 3600

    /// Whether an answer refuses the batch's content in the hub's own words (a JSON error body with the contract's
    /// code): 400 `invalid_request` or 413 `batch_too_large`. Only those split a batch and count toward a dead letter.
    static func refusesTheBatch(status: Int, code: String) -> Bool {
        (status == 400 && code == "invalid_request") || (status == 413 && code == "batch_too_large")
    }

    static func wire(_ shift: OutboxEvent.ShiftClose) -> EventsRequest.ShiftClose {
        EventsRequest.ShiftClose(kind: shift.report.kind.rawValue, openedAt: shift.report.openedAt, openedBy: shift.report.openedBy,
                                 closedBy: shift.report.closedBy, fromSequence: shift.afterSequence + 1, toSequence: shift.lastSequence,
                                 redemptions: shift.report.redemptions.count, uses: shift.report.redemptions.uses,
                                 voids: shift.report.voids.count, faceValueFen: shift.report.redemptions.faceValueFen,
                                 rewardFen: shift.report.rewardFen)
    }

    static func wire(_ event: OutboxEvent) -> EventsRequest.Event {
        EventsRequest.Event(type: event.kind.rawValue, id: event.id, occurredAt: event.occurredAt,
                            clockSuspect: event.clockSuspect, deviceSequence: event.deviceSequence, tokenId: event.tokenID,
                            campaignId: event.campaignID, shopId: event.shopID, uses: event.uses, via: event.via,
                            codeLast4: event.codeLast4, source: event.source, redemptionId: event.redemptionID,
                            reason: event.reason, codeHash: event.codeHash, detail: event.detail, staffId: event.staffID,
                            approvedBy: event.approvedBy, shift: event.shift.map(Self.wire))
    }
}
