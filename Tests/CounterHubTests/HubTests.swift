import CounterCore
@testable import CounterHub
import CounterSyncModels
import CounterTestSupport
import Crypto
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// counter-hub's store and router against a real SQLite file.
@Suite struct HubTests {
    func hub(uses: Int = 1, count: Int = 3, shops: [String] = []) throws -> Hub {
        try Hub(uses: uses, count: count, shops: shops)
    }

    func redemption(_ hub: Hub, _ token: IssuedToken, sequence: Int64, uses: Int = 1, id: String = UUIDv7.make().lowercasedString,
                    at: Date = Date()) -> EventsRequest.Event {
        hub.redemption(token, sequence: sequence, uses: uses, id: id, at: at)
    }

    @Test func issuedCodesAreSignedByTheCurrentKeyAndHashedInTheFeed() throws {
        let hub = try hub()
        let page = try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)
        #expect(page.reset)
        #expect(page.upToDate)
        #expect(page.tokens.count == 3)
        #expect(page.campaigns.map(\.id) == ["COFFEE"])
        let keySet = try #require(page.keySet)
        let verified = try KeySet.verified(payload: Array(Data(base64Encoded: keySet.payload)!),
                                           signature: Array(Data(base64Encoded: keySet.signature)!),
                                           rootPublicKey: Hex.decode(try hub.store.rootPublicKeyHex())!)
        for issued in hub.issued {
            #expect(page.tokens.contains { $0.tokenId == issued.tokenId && $0.codeHash == (try? CanonicalCode(issued.code).hash.hex) })
            let signed = try SignedCode(parsing: CanonicalCode(issued.signedCode))
            let key = try #require(verified.signingKeys.first { $0.id == signed.claims.keyID })
            #expect(signed.isSigned(by: key))
            #expect(signed.claims.tokenID.hex == issued.tokenId)
        }
    }

    @Test func pagingWithCursorsReachesUpToDateAndThenOnlyChanges() throws {
        let hub = try hub(count: 10)
        var cursor: String?
        var seen: [String] = []
        var pages = 0
        repeat {
            let page = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 4)
            #expect(page.reset == (cursor == nil))
            seen += page.tokens.map(\.tokenId)
            cursor = page.nextCursor
            pages += 1
            if page.upToDate { break }
        } while pages < 10
        #expect(Set(seen).count == 10)
        #expect(pages == 3)
        let quiet = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 4)
        #expect(quiet.tokens.isEmpty && quiet.upToDate && !quiet.reset && quiet.keySet == nil)

        try hub.store.revokeToken(hub.issued[0].tokenId, reason: "refund")
        let change = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 4)
        #expect(change.tokens.map(\.tokenId) == [hub.issued[0].tokenId])
        #expect(change.tokens.first?.status == "revoked")
        #expect(change.revocations.first?.reason == "refund")
        #expect(change.position > quiet.position)
    }

    @Test func badCursorsStartAResyncInsteadOfFailing() throws {
        let hub = try hub()
        let future = "9007199254740991"
        for text in ["v1:SHOP-2:1", "v1:SHOP-1:\(future)", "v2::SHOP-1:\(future)", "v2:0123456789abcdef:SHOP-1:1", "v3::SHOP-1:1",
                     "v2:SHOP-1:1", "v2::SHOP-1:-1"] {
            let cursor = Data(text.utf8).base64EncodedString()
            let page = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 100)
            #expect(page.reset, "\(text)")
            #expect(page.keySet != nil)
        }
        #expect(try hub.store.feedPage(for: hub.device, cursor: "garbage", limit: 100).reset)
    }

    @Test func keyRotationKeepsTheOldKeyForVerification() throws {
        let hub = try hub()
        let before = try SignedCode(parsing: CanonicalCode(hub.issued[0].signedCode)).claims.keyID
        let (newKey, version) = try hub.store.rotateKeys()
        #expect(newKey != before)
        #expect(version == 2)
        let after = try hub.store.issueTokens(campaign: "COFFEE", count: 1)[0]
        #expect(try SignedCode(parsing: CanonicalCode(after.signedCode)).claims.keyID == newKey)
        let page = try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)
        let keySet = try KeySet.verified(payload: Array(Data(base64Encoded: page.keySet!.payload)!),
                                         signature: Array(Data(base64Encoded: page.keySet!.signature)!),
                                         rootPublicKey: Hex.decode(try hub.store.rootPublicKeyHex())!)
        #expect(keySet.version == 2)
        let old = try #require(keySet.keys.first { $0.keyId == before })
        #expect(old.verifyUntil != nil, "the old key verifies until its last code expires")
        #expect(old.verifyUntil! >= Date().addingTimeInterval(29 * 86_400))
    }

    @Test func eventsAreStoredOnceAndConflictsAreFlaggedNotDropped() throws {
        let hub = try hub()
        let first = redemption(hub, hub.issued[0], sequence: 1)
        let response = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [first]), from: hub.device)
        #expect(response.results.map(\.status) == ["accepted"])
        #expect(response.acknowledgedSequence == 1)
        // The same event again (a retry after a lost answer) is a duplicate, not a second use.
        let retry = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [first]), from: hub.device)
        #expect(retry.results.map(\.status) == ["duplicate"])

        // Another device redeemed the same single-use code offline.
        let (other, _) = try hub.store.enroll(code: try hub.store.makeEnrollmentCode(shop: "SHOP-1"), deviceName: nil)
        var second = redemption(hub, hub.issued[0], sequence: 1)
        second.shopId = other.shopID
        let conflict = try hub.store.ingest(EventsRequest(deviceId: other.id, events: [second]), from: other)
        #expect(conflict.results.first?.status == "conflict")
        #expect(conflict.results.first?.reason == "over_redeemed")
        let stored = try hub.store.receivedEvents().filter { $0.type == "redemption" }
        #expect(stored.map(\.status) == ["accepted", "conflict"])
    }

    @Test func perEventValidation() throws {
        let hub = try hub(uses: 5)
        let redeemed = redemption(hub, hub.issued[0], sequence: 1, uses: 2)
        var unknown = redemption(hub, hub.issued[1], sequence: 2)
        unknown.tokenId = String(repeating: "0", count: 32)
        var wrongShop = redemption(hub, hub.issued[1], sequence: 3)
        wrongShop.shopId = "SHOP-2"
        let void = EventsRequest.Event(type: "void", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                       clockSuspect: false, deviceSequence: 4, source: "test", redemptionId: redeemed.id,
                                       reason: "mistake")
        var voidAgain = void
        voidAgain.id = UUIDv7.make().lowercasedString
        voidAgain.deviceSequence = 5
        let rejection = EventsRequest.Event(type: "rejection", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                            clockSuspect: false, source: "test", reason: "unknown_code",
                                            codeHash: String(repeating: "a", count: 64))
        let bogus = EventsRequest.Event(type: "teleport", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                        clockSuspect: false)
        let response = try hub.store.ingest(EventsRequest(deviceId: hub.device.id,
                                                          events: [redeemed, unknown, wrongShop, void, voidAgain, rejection, bogus]),
                                            from: hub.device)
        let statuses = response.results.map { $0.status }
        #expect(statuses == ["accepted", "rejected", "rejected", "accepted", "rejected", "accepted", "rejected"])
        #expect(response.results.map { $0.reason ?? "" } == ["", "unknown_token", "shop_mismatch", "", "already_voided", "", "invalid_event"])
        // Refused events are kept too, so their sequence numbers count as received.
        #expect(response.acknowledgedSequence == 5)
        // A resend gets the same answer, not a duplicate that would hide the refusal.
        let again = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [unknown, redeemed]), from: hub.device)
        #expect(again.results.map(\.status) == ["rejected", "duplicate"])
        #expect(again.results.first?.reason == "unknown_token")
    }

    @Test func reusedSequencesAreKeptAsConflictsWithoutFailingTheBatch() throws {
        let hub = try hub(uses: 5)
        let first = redemption(hub, hub.issued[0], sequence: 1)
        var reused = redemption(hub, hub.issued[1], sequence: 1)
        reused.id = UUIDv7.make().lowercasedString
        let void = EventsRequest.Event(type: "void", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                       clockSuspect: false, deviceSequence: 1, source: "test", redemptionId: first.id,
                                       reason: "mistake")
        let response = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [first, reused, void]), from: hub.device)
        #expect(response.results.map(\.status) == ["accepted", "conflict", "conflict"])
        #expect(response.results.dropFirst().allSatisfy { $0.reason == "sequence_reused" })
        // The conflict is answered again as a conflict when resent.
        let resent = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [reused]), from: hub.device)
        #expect(resent.results.first?.status == "conflict")
    }

    @Test func cursorsWorkForShopIdsWithColons() throws {
        let hub = try hub(count: 5)
        try hub.store.createShop(id: "CITY:EAST:7", name: "x")
        let (device, _) = try hub.store.enroll(code: try hub.store.makeEnrollmentCode(shop: "CITY:EAST:7"), deviceName: nil)
        let first = try hub.store.feedPage(for: device, cursor: nil, limit: 3)
        let second = try hub.store.feedPage(for: device, cursor: first.nextCursor, limit: 3)
        #expect(first.reset && !second.reset)
    }

    @Test func rotationWorksAfterEverySigningPeriodEnded() throws {
        let hub = try hub()
        let later = Date().addingTimeInterval(HubStore.signingPeriod + 86_400)
        #expect(throws: HubError.self) { try hub.store.issueTokens(campaign: "COFFEE", count: 1, now: later) }
        _ = try hub.store.rotateKeys(now: later)
        #expect(try hub.store.issueTokens(campaign: "COFFEE", count: 1, now: later).count == 1)
    }

    @Test func useCountsInTheFeedFollowTheDevicesAcknowledgedSequence() throws {
        let hub = try hub(uses: 10)
        let card = hub.issued[0]
        // Sequence 2 arrives before 1: the count includes it only once the prefix is complete.
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [redemption(hub, card, sequence: 2, uses: 3)]),
                                 from: hub.device)
        var page = try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)
        #expect(page.watermark.deviceSequence == 0)
        #expect(page.tokens.first { $0.tokenId == card.tokenId }?.usesUsed == 0)
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [redemption(hub, card, sequence: 1, uses: 1)]),
                                 from: hub.device)
        page = try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)
        #expect(page.watermark.deviceSequence == 2)
        let token = try #require(page.tokens.first { $0.tokenId == card.tokenId })
        #expect(token.usesUsed == 4)
        #expect(token.lastUse?.deviceId == hub.device.id)
    }

    @Test func enrollmentCodesWorkOnceAndTokensAreStoredHashed() throws {
        let hub = try hub()
        let code = try hub.store.makeEnrollmentCode(shop: "SHOP-2")
        _ = try hub.store.enroll(code: code.lowercased(), deviceName: nil)
        #expect(throws: HubError.self) { try hub.store.enroll(code: code, deviceName: nil) }
        #expect(throws: HubError.self) { try hub.store.makeEnrollmentCode(shop: "NOPE") }
        #expect(try hub.store.device(bearer: hub.token) == hub.device)
        #expect(try hub.store.device(bearer: hub.token + "x") == nil)
        let stored = try hub.store.database.read { sql in try sql.rows("SELECT token_hash FROM device", []).map { try $0["token_hash"] as String } }
        #expect(!stored.contains(hub.token))
    }

    @Test func routerAnswersTheContract() async throws {
        let hub = try hub()
        let app = Application(router: buildHubRouter(store: hub.store))
        try await app.test(.router) { client in
            let time = try await client.execute(uri: "/v1/time", method: .get) { $0.status }
            #expect(time == .ok)
            let unauthorized = try await client.execute(uri: "/v1/feed", method: .get) { response in
                (response.status, response.headers[.wwwAuthenticate])
            }
            #expect(unauthorized.0 == .unauthorized)
            #expect(unauthorized.1 == "Bearer")
            let auth: HTTPFields = [.authorization: "Bearer \(hub.token)"]
            let page = try await client.execute(uri: "/v1/feed?limit=2", method: .get, headers: auth) { response in
                try WireJSON.decoder(for: FeedPage.self).decode(FeedPage.self, from: Data(response.body.readableBytesView))
            }
            #expect(page.tokens.count + page.campaigns.count == 2)
            #expect(!page.upToDate)
            let badLimit = try await client.execute(uri: "/v1/feed?limit=0", method: .get, headers: auth) { $0.status }
            #expect(badLimit == .badRequest)
            let mismatch = try await client.execute(uri: "/v1/events", method: .post, headers: auth,
                                                    body: ByteBuffer(string: #"{"device_id": "someone-else", "events": []}"#)) { $0.status }
            #expect(mismatch == .forbidden)
            let enroll = try await client.execute(uri: "/v1/enroll", method: .post,
                                                  body: ByteBuffer(string: #"{"enrollment_code": "WRONG-CODE"}"#)) { $0.status }
            #expect(enroll == .forbidden)
        }
    }

    /// Issue 15, item 13: a device whose event times go back while its sequence goes up had its clock set back.
    @Test func aDeviceWhoseClockWentBackIsFlagged() throws {
        let hub = try hub(count: 3)
        let now = Date()
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [
            redemption(hub, hub.issued[0], sequence: 1, at: now - 60),
            redemption(hub, hub.issued[1], sequence: 2, at: now),
        ]), from: hub.device)
        #expect(try hub.store.devices().first?.clockWentBackAt == nil, "times that rise with the sequence are fine")
        let late = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [
            redemption(hub, hub.issued[2], sequence: 3, at: now - 86_400),
        ]), from: hub.device)
        #expect(late.results.first?.status == "accepted", "the redemption itself stands")
        let device = try #require(try hub.store.devices().first)
        #expect(device.clockWentBackAt != nil)
        #expect((device.clockWentBackSeconds ?? 0) > 86_000)
        #expect(device.acknowledgedSequence == 3)
    }

    /// Issue 15, item 12: a resend that carries an optional field the first send lacked is the same event.
    @Test func aResendWithAnAddedOptionalFieldIsADuplicate() throws {
        let hub = try hub()
        var event = redemption(hub, hub.issued[0], sequence: 1)
        event.source = nil
        event.via = nil
        #expect(try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [event]), from: hub.device).results.first?.status == "accepted")
        event.source = "front"
        event.via = "cache"
        #expect(try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [event]), from: hub.device).results.first?.status == "duplicate")
        event.uses = 2
        #expect(try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [event]), from: hub.device).results.first?.reason == "id_reused",
                "a field both carry, with another value, is another event")
    }

    @Test func faultInjectionIsRepeatable() {
        let a = FaultInjection(failureRate: 0.3, seed: 7)
        let b = FaultInjection(failureRate: 0.3, seed: 7)
        let rollsA = (0..<100).map { _ in a.roll() }
        #expect(rollsA == (0..<100).map { _ in b.roll() })
        let failures = rollsA.filter { $0 < 0.3 }.count
        #expect((15...45).contains(failures))
    }
}
