import CounterAPIModels
import CounterHTTP
import CounterLedger
import Foundation
import Hummingbird
import Logging

/// The upload queue: list its pending entries or dead letters, and put dead letters back in the queue.
struct OutboxController: Controller {
    let ledger: Ledger
    let logger: Logger
    let outboxChanged: @Sendable () -> Void

    func addRoutes(to router: Router<ServerRequestContext>) {
        let api = router.group("api/v1")
        api.get("outbox") { request, _ in
            let stateText = request.uri.queryParameters.get("state") ?? "dead"
            guard let state = OutboxState(rawValue: stateText), [.dead, .pending].contains(state) else {
                throw APIError(.badRequest, code: "invalid_state", message: "state must be dead or pending")
            }
            let limit = try validLimit(request, default: 100)
            let entries = try await ledger.outboxEntries(state: state, limit: limit).map(OutboxListResponse.Entry.init)
            return JSONResponse(OutboxListResponse(state: state.rawValue, entries: entries))
        }
        api.post("outbox/retry") { request, _ in
            let body = try await request.decodeJSON(OutboxRetryRequest.self, codes: .localAPI)
            let ids: [String]?
            switch (body.eventIds, body.all) {
            case (let list?, nil) where !list.isEmpty && list.count <= 1000 && list.allSatisfy({ UUID(uuidString: $0) != nil }):
                ids = list
            case (nil, true?):
                ids = nil
            default:
                throw APIError(.badRequest, code: "invalid_request",
                                message: "send {\"event_ids\": [UUID, …]} (1 to 1000 ids) or {\"all\": true}")
            }
            let requeued = try await ledger.requeueDeadLetters(ids)
            logger.notice("dead letters re-queued", metadata: ["count": "\(requeued.count)", "event_ids": "\(requeued.joined(separator: ","))"])
            if !requeued.isEmpty { outboxChanged() }
            return JSONResponse(OutboxRetryResponse(requeued: requeued))
        }
    }
}

extension OutboxListResponse.Entry {
    init(_ entry: OutboxEntry) {
        self.init(eventId: entry.eventID, kind: entry.kind.rawValue, state: entry.state.rawValue, attempts: entry.attempts,
                  refusals: entry.refusals, lastError: entry.lastError, createdAt: entry.createdAt, failedAt: entry.failedAt)
    }
}
