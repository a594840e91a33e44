import CounterHTTP
import CounterSyncModels
import Foundation
import Hummingbird
import ServiceLifecycle

/// `GET /v1/feed`: the pages of tokens, campaigns, keys and tombstones a device's shop may redeem; with `wait`,
/// the live feed: a request with nothing new is held until something changes or the wait ends.
struct FeedController: Controller {
    let store: HubStore
    let notifier: FeedNotifier

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("v1/feed") { request, _ in
            let device = try await request.authenticatedDevice(in: store)
            let limit = try request.integerQuery("limit", in: 1...5000, default: 1000)
            let wait = try request.integerQuery("wait", in: 0...HubStore.liveFeedMaxWait, default: 0, unit: "seconds")
            // Hummingbird has already percent-decoded the value. The contract bounds it to 1...1024 characters.
            let cursor = request.uri.queryParameters.get("cursor")
            if let cursor, !(1...FeedCursor.maxLength).contains(cursor.unicodeScalars.count) {
                throw APIError(.badRequest, code: "invalid_request", message: "cursor must be 1 to \(FeedCursor.maxLength) characters")
            }
            let build: @Sendable () async throws -> (page: FeedPage, recordDue: Bool) = {
                try await store.blocking { try $0.feedRead(for: device, cursor: cursor, limit: limit) }
            }
            // The generation is read before the page, so a change committed in between wakes the wait at once.
            var seen = notifier.generation(for: device.shopID)
            var (page, recordDue) = try await build()
            if wait > 0, page.isQuiet {
                let deadline = ContinuousClock.now + .seconds(wait)
                while ContinuousClock.now < deadline {
                    // A hub shutting down answers its held requests at once instead of keeping them to the end.
                    let observed = seen
                    await cancelWhenGracefulShutdown { await notifier.wait(shop: device.shopID, after: observed, until: deadline) }
                    let current = notifier.generation(for: device.shopID)
                    guard current != seen, !Task.isShuttingDownGracefully else { break }
                    seen = current
                    page = try await build().page
                    if !page.isQuiet { break }
                }
                // Counters take the hub's clock from the page: it must be the time of the answer.
                page.serverTime = Date()
            }
            // The last sync is written down at most once a minute, and only then is this request a write.
            if recordDue { try await store.blocking { try $0.noteFeedRead(by: device) } }
            page.liveFeedMaxWaitSeconds = HubStore.liveFeedMaxWait
            return JSONResponse(page)
        }
    }
}

extension FeedPage {
    /// Nothing to apply beyond the cursor: what a live-feed request waits past.
    var isQuiet: Bool {
        upToDate && !reset && campaigns.isEmpty && tokens.isEmpty && tombstones.isEmpty && revocations.isEmpty && keySet == nil
            && (staff ?? []).isEmpty
    }
}
