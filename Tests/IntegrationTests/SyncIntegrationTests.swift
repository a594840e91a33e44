import CounterCore
import CounterAPIModels
import CounterClient
import CounterSyncModels
import Foundation
import Testing

/// counterd against the real counter-hub over loopback.
@Suite(.serialized) struct SyncIntegrationTests: SyncChecks {
    @Test func enrollSyncRedeemAndUploadWithinSeconds() async throws {
        let hub = try await RunningHub()
        let listed = try await hub.issue(3)
        let daemon = try await RunningDaemon(hub: hub)
        let sync = try await daemon.ctl("sync", "--json")
        #expect(sync.status == 0, "\(sync.stdout) \(sync.stderr)")
        let report = try syncReport(sync)
        #expect(sync.stdout.split(separator: "\n").last?.contains("\"event\":\"done\"") == true)
        // The download loop may have synced at start already; either way the cache now holds the tokens.
        #expect(report.download?.upToDate == true)
        #expect(try decode(StatusResponse.self, try await daemon.ctl("status", "--json")).ledger.tokens == 3)

        // A listed code, typed as printed.
        let redeemed = try await daemon.ctl("redeem", listed[0].code.lowercased(), "--json")
        #expect(redeemed.status == 0, "\(redeemed.stdout)")
        let verdict = try decode(VerdictResponse.self, redeemed)
        #expect(verdict.via == "cache")
        // Issued after the last sync: its typeable code is unknown, its signed code works offline.
        let fresh = try await hub.issue(1)[0]
        #expect(try decode(VerdictResponse.self, try await daemon.ctl("redeem", fresh.code, "--json")).reason == "unknown_code")
        let signed = try decode(VerdictResponse.self, try await daemon.ctl("redeem", fresh.signedCode, "--json"))
        #expect(signed.reason == "ok")
        #expect(signed.via == "signed_code")

        // Both redemptions reach the hub without a manual sync (the upload starts on commit).
        let events = try await waitForHub(hub, type: "redemption", count: 2, seconds: 2)
        #expect(Set(events.map(\.id)) == Set([verdict.redemptionId, signed.redemptionId].compactMap { $0 }))
        #expect(events.allSatisfy { $0.status == "accepted" })
        #expect(try await waitForHub(hub, type: "rejection", count: 1).first?.reason == nil)

        let status = try decode(StatusResponse.self, try await daemon.ctl("status", "--json"))
        #expect(status.sync?.hubUrl == hub.url)
        #expect(status.shopId == "SHOP-1")
        #expect(status.sync?.lastCompleteSyncAt != nil)
        #expect(status.warnings.isEmpty, "\(status.warnings)")
        #expect(!daemon.stderr.contains(listed[0].code), "codes never reach the log")
        #expect(try await daemon.stop() == 0)
    }

    @Test func syncReportsProgressAsJSONLinesAndRefusesWhenNotEnrolled() async throws {
        let hub = try await RunningHub()
        _ = try await hub.issue(2500)
        let daemon = try await RunningDaemon(hub: hub)
        // Every line parses; the last one is the report (progress lines come from a run this call started).
        let result = try await daemon.ctl("sync", "--json")
        #expect(result.status == 0)
        let report = try syncReport(result)
        #expect(report.download?.upToDate == true)
        #expect(try decode(StatusResponse.self, try await daemon.ctl("status", "--json")).ledger.tokens == 2500)
        #expect(try await daemon.stop() == 0)

        let offline = try await RunningDaemon()
        let refused = try await offline.ctl("sync")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("not enrolled"))
        #expect(try await offline.stop() == 0)
    }

    @Test func revocationAndKeyRotationReachTheCounter() async throws {
        let hub = try await RunningHub()
        let tokens = try await hub.issue(2)
        let daemon = try await RunningDaemon(hub: hub)
        #expect(try await daemon.ctl("sync").status == 0)
        try await hub.admin("tokens", "revoke", tokens[0].tokenId, "--reason", "refund")
        try await hub.admin("keys", "rotate")
        let afterRotation = try await hub.issue(1)[0]
        let sync = try syncReport(try await daemon.ctl("sync", "--json"))
        #expect(sync.download?.revocations == 1)
        #expect(try decode(VerdictResponse.self, try await daemon.ctl("redeem", tokens[0].signedCode, "--json")).reason == "revoked")
        // The new key signs new codes; the old key still verifies codes it signed.
        #expect(try decode(VerdictResponse.self, try await daemon.ctl("check", afterRotation.signedCode, "--json")).reason == "ok")
        #expect(try decode(VerdictResponse.self, try await daemon.ctl("check", tokens[1].signedCode, "--json")).reason == "ok")
        #expect(try await daemon.stop() == 0)
    }

    @Test func twoCountersRedeemingOneCodeOfflineGiveOneAcceptedAndOneConflict() async throws {
        let hub = try await RunningHub()
        let token = try await hub.issue(1)[0]
        let left = try await RunningDaemon(hub: hub)
        let right = try await RunningDaemon(hub: hub)
        #expect(try await left.ctl("sync").status == 0)
        #expect(try await right.ctl("sync").status == 0)
        hub.stop()
        // Offline, both counters accept the code.
        #expect(try await left.ctl("redeem", token.code).status == 0)
        #expect(try await right.ctl("redeem", token.code).status == 0)
        try await hub.start()
        _ = try await left.ctl("sync")
        _ = try await right.ctl("sync")
        let events = try await waitForHub(hub, type: "redemption", count: 2)
        #expect(events.map(\.status).sorted() == ["accepted", "conflict"])
        #expect(events.first { $0.status == "conflict" }?.reason == "over_redeemed")
        #expect(try await left.stop() == 0)
        #expect(try await right.stop() == 0)
    }

    @Test func aFaultyHubStillGetsEveryRedemptionExactlyOnce() async throws {
        let hub = try await RunningHub(faults: ["--fail-rate", "0.3", "--drop-rate", "0.1", "--truncate-rate", "0.1", "--seed", "42"])
        let tokens = try await hub.issue(40)
        let daemon = try await RunningDaemon(hub: hub)
        var synced = false
        for _ in 0..<30 where !synced {
            synced = try syncReport(try await daemon.ctl("sync", "--json")).download?.upToDate == true
        }
        #expect(synced)
        var ids: [String] = []
        for token in tokens {
            let verdict = try decode(VerdictResponse.self, try await daemon.ctl("redeem", token.code, "--json"))
            #expect(verdict.reason == "ok")
            ids += [verdict.redemptionId].compactMap { $0 }
        }
        // Keep syncing until nothing is left to upload.
        for _ in 0..<60 {
            let status = try decode(StatusResponse.self, try await daemon.ctl("status", "--json"))
            if status.ledger.outboxPending == 0 { break }
            _ = try await daemon.ctl("sync")
        }
        let events = try await hub.events().filter { $0.type == "redemption" }
        #expect(events.count == 40, "every redemption arrived, none twice")
        #expect(Set(events.map(\.id)) == Set(ids))
        #expect(events.allSatisfy { $0.status == "accepted" })
        #expect(try await daemon.stop() == 0)
    }

    @Test func killedInTheMiddleOfUploadsLosesAndDuplicatesNothing() async throws {
        // Every feed and upload request waits 1 s at the hub, so the kill lands while one is in flight.
        let hub = try await RunningHub(faults: ["--delay-ms", "1000"])
        let tokens = try await hub.issue(30)
        let daemon = try await RunningDaemon(hub: hub)
        #expect(try await daemon.ctl("sync").status == 0)
        hub.stop()
        for token in tokens { #expect(try await daemon.ctl("redeem", token.code).status == 0) }
        try await hub.start()
        let inFlight = Task { try await daemon.ctl("sync") }
        try await Task.sleep(for: .milliseconds(400))
        daemon.kill9()
        _ = try? await inFlight.value
        try await daemon.restart()
        for _ in 0..<20 {
            let status = try decode(StatusResponse.self, try await daemon.ctl("status", "--json"))
            if status.ledger.outboxPending == 0 { break }
            _ = try await daemon.ctl("sync")
        }
        let events = try await hub.events().filter { $0.type == "redemption" }
        #expect(events.count == 30)
        #expect(Set(events.compactMap(\.deviceSequence)) == Set(1...30))
        #expect(try await daemon.stop() == 0)
    }

    /// Issue 16, item 3: a revocation made at the hub by an admin command (another process) reaches a counter on
    /// the live feed within seconds, long before its next poll.
    @Test func aRevocationReachesTheCounterThroughTheLiveFeedLongBeforeTheNextPoll() async throws {
        let hub = try await RunningHub()
        let tokens = try await hub.issue(2)
        let daemon = try await RunningDaemon(hub: hub, pollInterval: "10m")
        #expect(try await daemon.ctl("sync").status == 0)
        #expect(try decode(VerdictResponse.self, try await daemon.ctl("check", tokens[0].code, "--json")).reason == "ok")
        // Time for the download loop's first run, after which it waits on the hub.
        try await Task.sleep(for: .seconds(1))
        _ = try await hub.admin("tokens", "revoke", tokens[0].tokenId, "--reason", "fraud")
        var reason = "ok"
        for _ in 0..<50 where reason != "revoked" {
            try await Task.sleep(for: .milliseconds(200))
            reason = try decode(VerdictResponse.self, try await daemon.ctl("check", tokens[0].code, "--json")).reason
        }
        #expect(reason == "revoked", "the poll interval is 10 minutes: only the live feed brings it within 10 s")
        #expect(try await daemon.stop() == 0)
    }
}
