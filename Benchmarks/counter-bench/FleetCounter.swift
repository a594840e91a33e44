import AsyncHTTPClient
import CounterCore
import CounterSync
import CounterSyncModels
import Foundation
import Synchronization

/// What the simulated counters of one fleet run measured, shared by all of them.
final class FleetRecorder: Sendable {
    struct State {
        var ingest: [Duration] = []
        var feed: [Duration] = []
        var fanOut: [Duration] = []
        var acknowledged: [String] = []
        var unacknowledged = 0
        var refused = 0
        var failedRequests = 0
        var waiting = 0
        var revokedAt: ContinuousClock.Instant?
    }

    let state = Mutex(State())
    let stopped = Atomic(false)

    func record(_ body: (inout State) -> Void) { state.withLock { body(&$0) } }
}

/// How fast a simulated counter redeems at a moment of the run: the steady rate, then the burst.
struct FleetSchedule: Sendable {
    let start: ContinuousClock.Instant
    let steady: Duration
    let burst: Duration
    let burstFactor: Double
    let meanInterval: Double

    var end: ContinuousClock.Instant { start + steady + burst }

    /// The wait before a counter's next redemption: exponential (redemptions arrive as a Poisson process).
    func nextDelay(at now: ContinuousClock.Instant) -> Duration {
        let factor = now >= start + steady ? burstFactor : 1
        return .seconds(-log(Double.random(in: Double.ulpOfOne..<1)) * meanInterval / factor)
    }
}

/// One simulated counter: it speaks the protocol as counterd does (enroll, initial sync, the live feed, uploads
/// retried until acknowledged) without a ledger, and records what it measured.
struct SimulatedCounter: Sendable {
    let index: Int
    let shopID: String
    let tokenID: String
    let fanOutTokenID: String
    let hubs: [URL]
    /// The live feed's connections: one held per counter.
    let http: HTTPClient
    /// Uploads' connections: a bounded pool (requests beyond it queue), so a slow hub cannot run the process out of files.
    let uploadHTTP: HTTPClient
    let recorder: FleetRecorder

    /// The hub this counter talks to after `failures` failed requests: the next one, as a load balancer would.
    func hub(_ failures: Int) -> URL { hubs[(index + failures) % hubs.count] }

    /// Enrolls with a code, then downloads the feed until up to date. Returns the device id, its token and cursor.
    func enroll(code: String) async throws -> (device: String, token: String, cursor: String) {
        let enrolled = try await HubClient(baseURL: hub(0), token: nil, client: http).enroll(code: code, deviceName: "bench-\(index)")
        let client = HubClient(baseURL: hub(0), token: enrolled.deviceToken, client: http)
        var cursor: String?
        while true {
            let page = try await client.feed(cursor: cursor, limit: 1000)
            cursor = page.nextCursor
            if page.upToDate { return (enrolled.deviceId, enrolled.deviceToken, page.nextCursor) }
        }
    }

    /// The live feed as counterd uses it: hold a request until something changes (nothing applied), then download
    /// until up to date, at most once a second. Ends when the run stops.
    func followFeed(token: String, cursor start: String) async {
        var cursor = start
        var failures = 0
        var lastDownload = ContinuousClock.now - .seconds(1)
        var sawRevocation = false
        while !recorder.stopped.load(ordering: .relaxed) {
            do {
                let client = HubClient(baseURL: hub(failures), token: token, client: http)
                recorder.record { $0.waiting += 1 }
                defer { recorder.record { $0.waiting -= 1 } }
                _ = try await client.feed(cursor: cursor, limit: 1, wait: 25)
                let since = ContinuousClock.now - lastDownload
                if since < .seconds(1) { try await Task.sleep(for: .seconds(1) - since) }
                lastDownload = .now
                while true {
                    let started = ContinuousClock.now
                    let page = try await client.feed(cursor: cursor, limit: 1000)
                    let arrived = ContinuousClock.now
                    recorder.record { $0.feed.append(arrived - started) }
                    if !sawRevocation, page.revocations.contains(where: { $0.tokenId == fanOutTokenID }) {
                        sawRevocation = true
                        recorder.record { state in
                            state.fanOut.append(state.revokedAt.map { max(.zero, arrived - $0) } ?? .zero)
                        }
                    }
                    cursor = page.nextCursor
                    if page.upToDate { break }
                }
            } catch {
                if Task.isCancelled || recorder.stopped.load(ordering: .relaxed) { return }
                failures += 1
                recorder.record { $0.failedRequests += 1 }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// Redeems on the schedule until it ends; each event is sent until the hub acknowledges it (accepted or duplicate),
    /// switching hubs after a failure, as counterd's outbox does.
    func redeem(device: String, token: String, schedule: FleetSchedule) async {
        var sequence: Int64 = 0
        var failures = 0
        while true {
            let delay = schedule.nextDelay(at: .now)
            guard ContinuousClock.now + delay < schedule.end else { return }
            try? await Task.sleep(for: delay)
            sequence += 1
            let event = EventsRequest.Event(type: "redemption", id: UUIDv7.make().lowercasedString, occurredAt: Date(),
                                            clockSuspect: false, deviceSequence: sequence, tokenId: tokenID, campaignId: "FLEET",
                                            shopId: shopID, uses: 1, via: "cache", codeLast4: "0000", source: "bench")
            var acknowledged = false
            var refused = false
            for _ in 0..<240 where !acknowledged && !refused {
                do {
                    let started = ContinuousClock.now
                    let response = try await HubClient(baseURL: hub(failures), token: token, client: uploadHTTP)
                        .events(EventsRequest(deviceId: device, events: [event], sentAt: Date(), backlog: 0))
                    let latency = ContinuousClock.now - started
                    let status = response.results.first?.status
                    acknowledged = status == "accepted" || status == "duplicate"
                    refused = !acknowledged
                    recorder.record { state in
                        state.ingest.append(latency)
                        if acknowledged { state.acknowledged.append(event.id) } else { state.refused += 1 }
                    }
                } catch {
                    failures += 1
                    recorder.record { $0.failedRequests += 1 }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
            if !acknowledged && !refused { recorder.record { $0.unacknowledged += 1 } }
        }
    }
}
