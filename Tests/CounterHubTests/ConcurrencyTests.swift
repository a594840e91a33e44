import CounterCore
@testable import CounterHub
import CounterSyncModels
import Dispatch
import Foundation
import NIOConcurrencyHelpers
import Testing

/// Issue 16, item 2: several hub processes against one database. Each `HubStore` here has its own connections,
/// as a process would (on SQLite, its own connection pool on the same file), and they run from many threads at once.
@Suite(.serialized) struct ConcurrencyTests {
    /// A second "process" on the same database as `hub`.
    func secondProcess(_ hub: Hub) throws -> HubStore { try HubStore(location: hub.location) }

    /// The interleaving that loses an update, forced: the first upload's transaction stays open while the second
    /// process reads the use count. The second must wait for the first to commit, then see its use.
    @Test func aCodeRedeemedAtTwoCountersThroughTwoProcessesIsOneAcceptedAndOneConflict() throws {
        let hub = try Hub(count: 1)
        let other = try secondProcess(hub)
        let (second, _) = try hub.store.enroll(code: try hub.store.makeEnrollmentCode(shop: "SHOP-1"), deviceName: "till 2")
        let token = hub.issued[0]
        let secondUpload = EventsRequest(deviceId: second.id, events: [
            EventsRequest.Event(type: "redemption", id: UUIDv7.make().lowercasedString, occurredAt: Date(), clockSuspect: false,
                                deviceSequence: 1, tokenId: token.tokenId, campaignId: "COFFEE", shopId: "SHOP-1", uses: 1,
                                via: "cache", codeLast4: "0000", source: "test"),
        ])
        let secondResult = NIOLockedValueBox<String?>(nil)
        let secondDone = DispatchSemaphore(value: 0)
        let first = try hub.store.database.write { sql in
            let result = try HubStore.ingest(EventsRequest(deviceId: hub.device.id, events: [hub.redemption(token, sequence: 1)]),
                                             from: hub.device, now: Date(), sql)
            // A thread of its own: the dispatch queues may be busy with other tests' blocking calls.
            Thread {
                let status = (try? other.ingest(secondUpload, from: second))?.results.first?.status
                secondResult.withLockedValue { $0 = status ?? "error" }
                secondDone.signal()
            }.start()
            // Time for the second process to read a stale count, if anything let it.
            Thread.sleep(forTimeInterval: 0.5)
            return result.results.first?.status
        }
        secondDone.wait()
        #expect(first == "accepted")
        #expect(secondResult.withLockedValue { $0 } == "conflict")
    }

    @Test func manyCountersRedeemingTheSameCodesThroughTwoProcessesGetOneAcceptedEach() throws {
        let hub = try Hub(count: 20)
        let other = try secondProcess(hub)
        let (second, _) = try hub.store.enroll(code: try hub.store.makeEnrollmentCode(shop: "SHOP-1"), deviceName: "till 2")
        let results = NIOLockedValueBox<[String: [String]]>([:])
        DispatchQueue.concurrentPerform(iterations: 2 * hub.issued.count) { index in
            let token = hub.issued[index / 2]
            let (store, device) = index % 2 == 0 ? (hub.store, hub.device) : (other, second)
            let event = EventsRequest.Event(type: "redemption", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                            clockSuspect: false, deviceSequence: Int64(index / 2 + 1), tokenId: token.tokenId,
                                            campaignId: "COFFEE", shopId: "SHOP-1", uses: 1, via: "cache", codeLast4: "0000",
                                            source: "test")
            let status = (try? store.ingest(EventsRequest(deviceId: device.id, events: [event]), from: device))?.results.first?.status
            results.withLockedValue { $0[token.tokenId, default: []].append(status ?? "error") }
        }
        for (token, statuses) in results.withLockedValue({ $0 }) {
            #expect(statuses.sorted() == ["accepted", "conflict"], "\(token)")
        }
        #expect(try hub.store.receivedEvents().count == 2 * hub.issued.count)
        // Each device's sequences 1…20 all arrived, whichever process took them.
        #expect(try hub.store.devices().map(\.acknowledgedSequence) == [20, 20])
    }

    @Test func theSameEventArrivingAtTwoProcessesAtOnceIsStoredOnce() throws {
        let hub = try Hub(count: 8)
        let other = try secondProcess(hub)
        let statuses = NIOLockedValueBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2 * hub.issued.count) { index in
            let token = hub.issued[index / 2]
            // The same id and content for both copies: a counter that resent after a lost answer, through a balancer.
            let id = String(format: "0190a000-0000-7000-8000-%012d", index / 2)
            let event = hub.redemption(token, sequence: Int64(index / 2 + 1), id: id,
                                       at: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
            let store = index % 2 == 0 ? hub.store : other
            let status = (try? store.ingest(EventsRequest(deviceId: hub.device.id, events: [event]), from: hub.device))?.results.first?.status
            statuses.withLockedValue { $0.append(status ?? "error") }
        }
        let all = statuses.withLockedValue { $0 }
        #expect(all.filter { $0 == "accepted" }.count == hub.issued.count)
        #expect(all.filter { $0 == "duplicate" }.count == hub.issued.count)
        #expect(try hub.store.receivedEvents().count == hub.issued.count)
    }

    /// Writers in two processes issue and revoke tokens while a reader follows the feed page by page. A change that
    /// committed after the reader passed its position would never reach it: every token must end up revoked there.
    @Test func aFeedReaderNeverSkipsAChangeCommittedLaterUnderConcurrentWriters() throws {
        let hub = try Hub(count: 1)
        let other = try secondProcess(hub)
        let writers = 4
        let rounds = 15
        let done = NIOLockedValueBox(0)
        let issued = NIOLockedValueBox<[String]>([])
        // Only the reader touches its state; the box makes that visible to the compiler.
        let reader = NIOLockedValueBox<(seen: [String: String], cursor: String?)>(([:], nil))
        let follow: @Sendable () throws -> Void = {
            try reader.withLockedValue { state in
                while true {
                    let page = try hub.store.feedPage(for: hub.device, cursor: state.cursor, limit: 7)
                    for token in page.tokens { state.seen[token.tokenId] = token.status }
                    state.cursor = page.nextCursor
                    if page.upToDate { return }
                }
            }
        }
        DispatchQueue.concurrentPerform(iterations: writers + 1) { index in
            guard index < writers else {
                // The reader, until every writer is done.
                while done.withLockedValue({ $0 }) < writers { try? follow() }
                return
            }
            let store = index % 2 == 0 ? hub.store : other
            for _ in 0..<rounds {
                guard let token = try? store.issueTokens(campaign: "COFFEE", count: 1).first else { continue }
                issued.withLockedValue { $0.append(token.tokenId) }
                try? store.revokeToken(token.tokenId, reason: "test")
            }
            done.withLockedValue { $0 += 1 }
        }
        try follow()
        let tokens = issued.withLockedValue { $0 }
        #expect(tokens.count == writers * rounds)
        let seen = reader.withLockedValue { $0.seen }
        let missed = tokens.filter { seen[$0] != "revoked" }
        #expect(missed.isEmpty, "changes the reader never saw: \(missed.count)")
    }
}
