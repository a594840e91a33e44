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
        let request = EventsRequest(deviceId: deviceID, events: batch.map(Self.wire))
        let response: EventsResponse
        do {
            response = try await client.events(request)
        } catch {
            if case .refused(let status, _, _) = error, status == 400 || status == 413 {
                if batch.count > 1 {
                    let half = batch.count / 2
                    try await send(Array(batch[..<half]), into: &report)
                    try await send(Array(batch[half...]), into: &report)
                    return
                }
                // One refusal may be a proxy's; the second one, after a backoff, is the hub's word.
                let event = batch[0]
                do {
                    let previous = try await ledger.lastUploadError(eventID: event.id)
                    guard previous?.hasPrefix(Self.refusalMark) == true else {
                        try await ledger.recordUploadFailure(eventIDs: [event.id], error: Self.refusalMark + error.description)
                        throw error
                    }
                    logger.error("sync upload", metadata: ["outcome": "dead_letter", "event_id": "\(event.id)", "error": "\(error)"])
                    try await ledger.deadLetter(eventIDs: [event.id], reason: "refused twice: \(error)", at: Date())
                } catch let syncError as SyncError {
                    throw syncError
                } catch {
                    throw .invalidResponse("ledger: \(error)")
                }
                report.rejected += 1
                return
            }
            try? await ledger.recordUploadFailure(eventIDs: batch.map(\.id), error: error.description)
            throw error
        }
        guard response.results.count == batch.count,
              zip(response.results, batch).allSatisfy({ $0.id.lowercased() == $1.id.lowercased() }) else {
            throw .invalidResponse("events: the results do not match the events sent")
        }
        var results: [(eventID: String, result: DeliveryResult)] = []
        for (result, event) in zip(response.results, batch) {
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
        report.batches += 1
        report.acknowledgedSequence = response.acknowledgedSequence
    }

    /// Prefix of the upload error recorded when the hub refused an event alone.
    static let refusalMark = "refused: "

    static func wire(_ event: OutboxEvent) -> EventsRequest.Event {
        EventsRequest.Event(type: event.kind.rawValue, id: event.id, occurredAt: event.occurredAt,
                            clockSuspect: event.clockSuspect, deviceSequence: event.deviceSequence, tokenId: event.tokenID,
                            campaignId: event.campaignID, shopId: event.shopID, uses: event.uses, via: event.via,
                            codeLast4: event.codeLast4, source: event.source, redemptionId: event.redemptionID,
                            reason: event.reason, codeHash: event.codeHash, detail: event.detail)
    }
}
