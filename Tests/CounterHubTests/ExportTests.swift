import CounterCore
@testable import CounterHub
import CounterSyncModels
import Dispatch
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Testing

/// Issue 16, item 6: the hand-off to the commission engine, every accepted redemption and void once, in order.
@Suite struct ExportTests {
    /// Reads the whole export from `cursor`, `limit` events a page.
    func exportAll(_ store: HubStore, after cursor: String? = nil, limit: Int = 1000) throws -> (events: [ExportedEvent], cursor: String?) {
        var cursor = cursor
        var events: [ExportedEvent] = []
        while true {
            let page = try store.exportEvents(after: cursor, limit: limit)
            events += page.events
            cursor = page.nextCursor
            if page.upToDate { return (events, cursor) }
        }
    }

    @Test func redemptionsVoidsAndConflictsInOrderWithShopCampaignAndReward() throws {
        let hub = try Hub(count: 2)
        let first = hub.redemption(hub.issued[0], sequence: 1)
        let second = hub.redemption(hub.issued[1], sequence: 2)
        let void = EventsRequest.Event(type: "void", id: UUIDv7.make().lowercasedString, occurredAt: Date(), clockSuspect: false,
                                       deviceSequence: 3, source: "test", redemptionId: first.id, reason: "mistake")
        let rejection = EventsRequest.Event(type: "rejection", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                            clockSuspect: false, source: "test", reason: "unknown_code",
                                            codeHash: String(repeating: "a", count: 64))
        let overRedeemed = hub.redemption(hub.issued[1], sequence: 4)
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [first, second, void, rejection, overRedeemed]),
                                 from: hub.device)
        let (events, _) = try exportAll(hub.store)
        #expect(events.map(\.id) == [first.id, second.id, void.id, overRedeemed.id], "rejections are not exported")
        #expect(events.map(\.status) == ["accepted", "accepted", "accepted", "conflict"])
        #expect(events[3].reason == "over_redeemed")
        #expect(events[2].type == "void" && events[2].redemptionId == first.id && events[2].tokenId == hub.issued[0].tokenId)
        #expect(events.allSatisfy { $0.shopId == "SHOP-1" && $0.campaignId == "COFFEE" && $0.shopRewardFen == 200 && $0.faceValueFen == 1800 })
        #expect(events[0].deviceSequence == 1 && events[0].deviceId == hub.device.id)
        // An empty page keeps the cursor, and says it is up to date.
        let quiet = try hub.store.exportEvents(after: events.last!.cursor, limit: 10)
        #expect(quiet.events.isEmpty && quiet.upToDate && quiet.nextCursor == events.last!.cursor)
        #expect(throws: HubError.self) { try hub.store.exportEvents(after: "bm90LW91cnM=", limit: 10) }
    }

    /// A consumer that processed part of a page, crashed and resumed from the cursor of its last event.
    @Test func aConsumerResumingFromItsLastCursorSeesEachEventOnce() throws {
        let hub = try Hub(uses: 10, count: 5)
        let events = (1...12).map { hub.redemption(hub.issued[$0 % 5], sequence: Int64($0)) }
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: events), from: hub.device)
        var processed: [String] = []
        var saved: String?
        // Pages of 5; the consumer crashes after the third event of each page, before saving the rest.
        while true {
            let page = try hub.store.exportEvents(after: saved, limit: 5)
            for event in page.events.prefix(3) {
                processed.append(event.id)
                saved = event.cursor
            }
            if page.upToDate && page.events.count <= 3 { break }
        }
        #expect(processed == events.map(\.id))
    }

    @Test func nothingIsSkippedOrRepeatedWhileTwoProcessesIngest() throws {
        let hub = try Hub(uses: 1000, count: 10)
        let other = try HubStore(location: hub.location)
        let (second, _) = try hub.store.enroll(code: try hub.store.makeEnrollmentCode(shop: "SHOP-1"), deviceName: "till 2")
        let perDevice = 40
        let finished = NIOLockedValueBox(0)
        let consumer = NIOLockedValueBox<(ids: [String], cursor: String?)>(([], nil))
        let consume: @Sendable () throws -> Void = {
            try consumer.withLockedValue { state in
                let page = try hub.store.exportEvents(after: state.cursor, limit: 3)
                state.ids += page.events.map(\.id)
                state.cursor = page.nextCursor
            }
        }
        DispatchQueue.concurrentPerform(iterations: 3) { index in
            guard index < 2 else {
                while finished.withLockedValue({ $0 }) < 2 { try? consume() }
                return
            }
            let (store, device) = index == 0 ? (hub.store, hub.device) : (other, second)
            for sequence in 1...perDevice {
                let event = EventsRequest.Event(type: "redemption", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                                clockSuspect: false, deviceSequence: Int64(sequence),
                                                tokenId: hub.issued[sequence % 10].tokenId, campaignId: "COFFEE", shopId: "SHOP-1",
                                                uses: 1, via: "cache", codeLast4: "0000", source: "test")
                _ = try? store.ingest(EventsRequest(deviceId: device.id, events: [event]), from: device)
            }
            finished.withLockedValue { $0 += 1 }
        }
        let rest = try exportAll(hub.store, after: consumer.withLockedValue { $0.cursor })
        let ids = consumer.withLockedValue { $0.ids } + rest.events.map(\.id)
        #expect(ids.count == 2 * perDevice)
        #expect(Set(ids).count == ids.count, "no event twice")
        #expect(Set(ids) == Set(try hub.store.receivedEvents().map(\.id)), "no event skipped")
    }

    @Test func onlyAnAdminCredentialReadsTheExport() async throws {
        let hub = try Hub()
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [hub.redemption(hub.issued[0], sequence: 1)]),
                                 from: hub.device)
        let (adminID, adminToken) = try hub.store.createAdminToken(name: "commission-engine")
        let app = Application(router: buildHubRouter(store: hub.store))
        try await app.test(.router) { client in
            func get(_ uri: String, _ token: String?) async throws -> (HTTPResponse.Status, Data) {
                let headers: HTTPFields = token.map { [.authorization: "Bearer \($0)"] } ?? [:]
                return try await client.execute(uri: uri, method: .get, headers: headers) { ($0.status, Data($0.body.readableBytesView)) }
            }
            #expect(try await get("/v1/admin/events", nil).0 == .unauthorized)
            #expect(try await get("/v1/admin/events", hub.token).0 == .unauthorized, "a device credential is not an admin one")
            let (status, body) = try await get("/v1/admin/events?limit=10", adminToken)
            #expect(status == .ok)
            let page = try WireJSON.decoder().decode(ExportPage.self, from: body)
            #expect(page.events.count == 1 && page.upToDate)
            #expect(try await get("/v1/admin/events?after=garbage", adminToken).0 == .badRequest)
            #expect(try await get("/v1/admin/events?limit=0", adminToken).0 == .badRequest)
            try hub.store.revokeAdminToken(adminID)
            #expect(try await get("/v1/admin/events", adminToken).0 == .unauthorized)
        }
        let stored = try hub.store.database.read { sql in try sql.rows("SELECT token_hash FROM admin_token", []).map { try $0["token_hash"] as String } }
        #expect(!stored.contains(adminToken), "stored hashed")
    }
}
