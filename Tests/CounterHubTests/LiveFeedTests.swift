import CounterCore
@testable import CounterHub
import CounterSyncModels
import Foundation
import Hummingbird
import Logging
import HummingbirdTesting
import Testing

/// Issue 16, item 3: the live feed. A request with `wait` and nothing new is held until the feed changes.
@Suite struct LiveFeedTests {
    func upToDateCursor(_ hub: Hub) throws -> String {
        var cursor: String?
        while true {
            let page = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 1000)
            cursor = page.nextCursor
            if page.upToDate { return page.nextCursor }
        }
    }

    @Test func aHeldRequestAnswersWithTheRevocationThatWokeIt() async throws {
        let hub = try Hub()
        let cursor = try upToDateCursor(hub)
        let notifier = FeedNotifier()
        let app = Application(router: buildHubRouter(store: hub.store, notifier: notifier))
        try await app.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(hub.token)"]
            let uri = "/v1/feed?wait=20&cursor=" + cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            async let held = client.execute(uri: uri, method: .get, headers: auth) { response in
                try WireJSON.decoder().decode(FeedPage.self, from: Data(response.body.readableBytesView))
            }
            try await Task.sleep(for: .milliseconds(300))
            try hub.store.revokeToken(hub.issued[0].tokenId, reason: "fraud")
            notifier.changed()
            let page = try await held
            // Without the wake-up the request would end after 20 s with the quiet page it started with.
            #expect(page.revocations.map(\.tokenId) == [hub.issued[0].tokenId])
            #expect(page.liveFeedMaxWaitSeconds == HubStore.liveFeedMaxWait)
        }
    }

    @Test func aQuietWaitEndsWithAFreshServerTimeAndBadWaitsAreRefused() async throws {
        let hub = try Hub()
        let cursor = try upToDateCursor(hub)
        let app = Application(router: buildHubRouter(store: hub.store))
        try await app.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer \(hub.token)"]
            let escaped = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let started = Date()
            let page = try await client.execute(uri: "/v1/feed?wait=1&cursor=" + escaped, method: .get, headers: auth) { response in
                try WireJSON.decoder().decode(FeedPage.self, from: Data(response.body.readableBytesView))
            }
            #expect(page.tokens.isEmpty && page.upToDate && !page.reset)
            #expect(page.serverTime >= started.addingTimeInterval(0.9), "the hub's clock as of the answer, not of the first read")
            for wait in ["61", "-1", "x", "1e3"] {
                #expect(try await client.execute(uri: "/v1/feed?wait=\(wait)", method: .get, headers: auth) { $0.status } == .badRequest)
            }
        }
    }

    /// Another process's change reaches this process's waiters: through LISTEN/NOTIFY on PostgreSQL, through the
    /// position watch on SQLite.
    @Test func anotherProcessesChangeWakesThisProcess() async throws {
        let hub = try Hub()
        let other = try HubStore(location: hub.location)
        let notifier = FeedNotifier()
        let logger = Logger(label: "test")
        // One mechanism at a time: LISTEN/NOTIFY on PostgreSQL, the position watch on SQLite.
        let wake = Task {
            if TestDatabase.postgres != nil {
                await hub.store.listenForChanges(notifier: notifier, logger: logger)
            } else {
                await hub.store.watchPosition(notifier: notifier, interval: .milliseconds(100), logger: logger)
            }
        }
        defer { wake.cancel() }
        try await Task.sleep(for: .milliseconds(500))
        let before = notifier.generation
        try other.revokeToken(hub.issued[1].tokenId, reason: "refund")
        var woken = false
        for _ in 0..<50 where !woken {
            try await Task.sleep(for: .milliseconds(100))
            woken = notifier.generation != before
        }
        #expect(woken)
    }
}
