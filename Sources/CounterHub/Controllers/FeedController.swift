import CounterHTTP
import CounterSyncModels
import Hummingbird

/// `GET /v1/feed`: the pages of tokens, campaigns, keys and tombstones a device's shop may redeem.
struct FeedController: Controller {
    let store: HubStore

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("v1/feed") { request, _ in
            let device = try await request.authenticatedDevice(in: store)
            let limitText = request.uri.queryParameters.get("limit") ?? "1000"
            guard let limit = Int(limitText), (1...5000).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_request", message: "limit must be 1 to 5000")
            }
            // Hummingbird has already percent-decoded the value. The contract bounds it to 1...1024 characters.
            let cursor = request.uri.queryParameters.get("cursor")
            if let cursor, !(1...FeedCursor.maxLength).contains(cursor.unicodeScalars.count) {
                throw APIError(.badRequest, code: "invalid_request", message: "cursor must be 1 to \(FeedCursor.maxLength) characters")
            }
            let page = try await store.blocking { store in
                let page = try store.feedPage(for: device, cursor: cursor, limit: limit)
                try store.noteFeedRead(by: device)
                return page
            }
            return JSONResponse(page)
        }
    }
}
