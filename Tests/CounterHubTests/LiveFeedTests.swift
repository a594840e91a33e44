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
                try WireJSON.decoder(for: FeedPage.self).decode(FeedPage.self, from: Data(response.body.readableBytesView))
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
                try WireJSON.decoder(for: FeedPage.self).decode(FeedPage.self, from: Data(response.body.readableBytesView))
            }
            #expect(page.tokens.isEmpty && page.upToDate && !page.reset)
            #expect(page.serverTime >= started.addingTimeInterval(0.9), "the hub's clock as of the answer, not of the first read")
            for wait in ["61", "-1", "x", "1e3"] {
                #expect(try await client.execute(uri: "/v1/feed?wait=\(wait)", method: .get, headers: auth) { $0.status } == .badRequest)
            }
        }
    }

    /// Another process's change reaches this process's waiters: through LISTEN/NOTIFY on PostgreSQL, with the shops
    /// it touched; through the position watch on SQLite, for every shop.
    @Test func anotherProcessesChangeWakesThisProcess() async throws {
        let hub = try Hub()
        let other = try HubStore(location: hub.location)
        try other.createCampaign(CampaignSpec(id: "WEST-ONLY", title: "t", product: "p", faceValueFen: 100, shopRewardFen: nil,
                                              uses: 1, shopIDs: ["SHOP-2"], validDays: nil, activeFrom: nil, activeUntil: nil,
                                              offlinePolicy: .allowSigned))
        let westToken = try other.issueTokens(campaign: "WEST-ONLY", count: 1)[0]
        let notifier = FeedNotifier()
        let logger = Logger(label: "test")
        let postgres = TestDatabase.postgres != nil
        // The watch starts from the position now, so a change made before its first look still counts.
        let start = try hub.store.currentFeedPosition()
        let wake = Task {
            await hub.store.listenForChanges(notifier: notifier, logger: logger)
            await hub.store.watchPosition(notifier: notifier, interval: .milliseconds(100), since: start, logger: logger)
        }
        defer { wake.cancel() }
        func woken(_ shop: String, after before: UInt64) async throws -> Bool {
            for _ in 0..<100 {
                if notifier.generation(for: shop) != before { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        // Listening: the listener wakes everyone once when it starts (what it may have missed before).
        if postgres { #expect(try await woken("SHOP-1", after: 0)) }
        // A token of SHOP-2 only: on PostgreSQL, SHOP-1's held requests sleep on.
        let (east, west) = (notifier.generation(for: "SHOP-1"), notifier.generation(for: "SHOP-2"))
        try other.revokeToken(westToken.tokenId, reason: "refund")
        #expect(try await woken("SHOP-2", after: west))
        if postgres { #expect(notifier.generation(for: "SHOP-1") == east, "a change for another shop wakes nobody here") }
        // A token of any shop wakes everyone.
        let before = notifier.generation(for: "SHOP-1")
        try other.revokeToken(hub.issued[1].tokenId, reason: "refund")
        #expect(try await woken("SHOP-1", after: before))
    }

    @Test func aChangeWakesOnlyTheShopsItTouches() async throws {
        let notifier = FeedNotifier()
        // A long wait, so that a loaded test run (the unit stage runs suites in parallel on 2 cores, some holding their
        // threads for seconds) is never taken for a missed wake-up: a waiter that is not woken takes the whole minute.
        let deadline = ContinuousClock.now + .seconds(60)
        // Read before the child task starts: on a loaded machine it may start after the changes below, and would then
        // wait past them for the deadline.
        let seen = notifier.generation(for: "SHOP-1")
        async let east: Void = notifier.wait(shop: "SHOP-1", after: seen, until: deadline)
        try await Task.sleep(for: .milliseconds(100))
        notifier.changed(.shops(["SHOP-2"]))
        #expect(notifier.generation(for: "SHOP-1") == 0 && notifier.generation(for: "SHOP-2") == 1)
        notifier.changed(.shops(["SHOP-1", "SHOP-3"]))
        await east
        #expect(ContinuousClock.now < deadline, "woken by its own shop's change, not by the end of the wait")
        notifier.changed(.everyShop)
        #expect(notifier.generation(for: "SHOP-2") == 2 && notifier.generation(for: "SHOP-9") == 1)
        // A waiter whose shop changed since it looked returns at once.
        await notifier.wait(shop: "SHOP-2", after: 1, until: deadline)
    }

    @Test func scopesTravelAsNotifyPayloads() {
        let scope = FeedChangeScope.shops(["S:1", "B-2"])
        #expect(scope.payload == "B-2\nS:1")
        #expect(FeedChangeScope(payload: scope.payload) == scope)
        #expect(FeedChangeScope(payload: "*") == .everyShop && FeedChangeScope(payload: "") == .everyShop)
        let many = FeedChangeScope.shops(Set((0..<2000).map { "SHOP-\($0)" }))
        #expect(many.payload == "*", "too long for a NOTIFY payload")
        #expect(FeedChangeScope.shops(["A"]).merged(with: .everyShop) == .everyShop)
        #expect(FeedChangeScope.shops(["A"]).merged(with: .shops(["B"])) == .shops(["A", "B"]))
    }
}
