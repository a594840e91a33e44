import CounterCore
@testable import CounterHub
import CounterSyncModels
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Fleet operations (issue 16, item 5): revoking a device, and the health `counter-hub device list` shows.
@Suite struct FleetTests {
    @Test func aRevokedDeviceIsRefusedAtOnceOnFeedAndUpload() async throws {
        let hub = try Hub()
        let app = Application(router: buildHubRouter(store: hub.store))
        let auth: HTTPFields = [.authorization: "Bearer \(hub.token)"]
        let batch = EventsRequest(deviceId: hub.device.id, events: [hub.redemption(hub.issued[0], sequence: 1)])
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/v1/feed", method: .get, headers: auth) { $0.status } == .ok)
            try hub.store.revokeDevice(hub.device.id, reason: "stolen")
            for (uri, method, body) in [("/v1/feed", HTTPRequest.Method.get, ByteBuffer()),
                                        ("/v1/events", .post, ByteBuffer(bytes: try WireJSON.encoder().encode(batch)))] {
                let (status, error) = try await client.execute(uri: uri, method: method, headers: auth, body: body) { response in
                    (response.status, try WireJSON.decoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)))
                }
                #expect(status == .unauthorized)
                #expect(error.error.code == "device_revoked")
                #expect(error.error.message.contains("此设备已被停用"))
            }
            // A wrong token is still plain `unauthorized`: revocation says nothing about other tokens.
            let wrong = try await client.execute(uri: "/v1/feed", method: .get, headers: [.authorization: "Bearer nope"]) { response in
                try WireJSON.decoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error.code
            }
            #expect(wrong == "unauthorized")
        }
        #expect(try hub.store.receivedEvents().isEmpty)
        let listed = try #require(try hub.store.devices().first)
        #expect(listed.revokedReason == "stolen")
        #expect(listed.revokedAt != nil)
        #expect(throws: HubError.self) { try hub.store.revokeDevice(hub.device.id, reason: "again") }
        #expect(throws: HubError.self) { try hub.store.revokeDevice("dev-unknown", reason: "typo") }
    }

    @Test func uploadsReportTheCountersClockAndBacklog() throws {
        let hub = try Hub()
        // Whole seconds, so the stored times compare equal; inside the tokens' validity.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [hub.redemption(hub.issued[0], sequence: 1, at: now)],
                                               sentAt: now.addingTimeInterval(95), backlog: 41), from: hub.device, now: now)
        var listed = try #require(try hub.store.devices().first)
        #expect(listed.clockOffsetSeconds == 95)
        #expect(listed.backlog == 41)
        #expect(listed.backlogAt == now)
        #expect(listed.lastUploadAt == now)
        #expect(listed.conflicts == 0)

        // Values outside the contract's range are dropped, never stored; the last good ones stay.
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [hub.redemption(hub.issued[1], sequence: 2, at: now)],
                                               sentAt: Date(timeIntervalSince1970: 253_402_300_000), backlog: -1),
                                 from: hub.device, now: now.addingTimeInterval(60))
        listed = try #require(try hub.store.devices().first)
        #expect(listed.clockOffsetSeconds == 95)
        #expect(listed.backlog == 41)

        // A counter that sends neither (an older counterd) keeps what it said before.
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [hub.redemption(hub.issued[0], sequence: 3, at: now)]),
                                 from: hub.device, now: now.addingTimeInterval(120))
        listed = try #require(try hub.store.devices().first)
        #expect(listed.backlog == 41)
        #expect(listed.conflicts == 1, "the third redemption over-redeems a single-use token")
    }

    @Test func feedReadsAreRecordedAtMostOnceAMinute() throws {
        let hub = try Hub()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try hub.store.devices().first?.lastFeedAt == nil)
        // The page's read says when a write is due, so most feed requests write nothing.
        #expect(try hub.store.feedRead(for: hub.device, cursor: nil, limit: 10, now: start).recordDue)
        try hub.store.noteFeedRead(by: hub.device, now: start)
        #expect(try !hub.store.feedRead(for: hub.device, cursor: nil, limit: 10, now: start.addingTimeInterval(30)).recordDue)
        #expect(try hub.store.feedRead(for: hub.device, cursor: nil, limit: 10, now: start.addingTimeInterval(61)).recordDue)
        try hub.store.noteFeedRead(by: hub.device, now: start.addingTimeInterval(30))
        #expect(try hub.store.devices().first?.lastFeedAt == start)
        try hub.store.noteFeedRead(by: hub.device, now: start.addingTimeInterval(61))
        #expect(try hub.store.devices().first?.lastFeedAt == start.addingTimeInterval(61))
    }
}
