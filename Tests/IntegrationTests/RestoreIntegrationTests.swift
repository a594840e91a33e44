import CounterAPIModels
import CounterCore
import Foundation
import Testing

/// Issue 16, item 4, end to end: back up the hub, redeem more, restore, and let the counter sync. On SQLite (a copy of
/// the data directory) in the integration stage, and on PostgreSQL (pg_dump, pg_restore) in scripts/test.sh's
/// PostgreSQL stage, which sets `COUNTER_HUB_TEST_POSTGRES`.
@Suite(.serialized) struct RestoreIntegrationTests: SyncChecks {
    /// counterd's side: a hub restored from a backup taken before some uploads gets those
    /// redemptions again from the counter, each once.
    @Test func aHubRestoredFromAnOlderBackupGetsTheRedemptionsItLostExactlyOnce() async throws {
        let hub = try await RunningHub()
        let tokens = try await hub.issue(5)
        let spare = try await hub.issue(1)[0]
        let daemon = try await RunningDaemon(hub: hub)
        // A second counter of the shop that only syncs: the revocation after the restore must reach it too.
        let other = try await RunningDaemon(hub: hub)
        #expect(try await daemon.ctl("sync").status == 0)
        for token in tokens.prefix(2) { #expect(try await daemon.ctl("redeem", token.code).status == 0) }
        #expect(try await waitForHub(hub, type: "redemption", count: 2).count == 2)

        // The backup: pg_dump of the running hub's database, or a copy of its data directory.
        try await hub.backup()
        for token in tokens[2...] { #expect(try await daemon.ctl("redeem", token.code).status == 0) }
        #expect(try await waitForHub(hub, type: "redemption", count: 5).count == 5)
        // A code issued after the backup reaches the counter; the restored hub will never have heard of it.
        let lost = try await hub.issue(1)[0]
        for counter in [daemon, other] {
            #expect(try await counter.ctl("sync").status == 0)
            #expect(try decode(VerdictResponse.self, try await counter.ctl("check", lost.code, "--json")).reason == "ok")
        }

        // Restored from it: the hub has lost the last three redemptions, which the counter holds as delivered.
        hub.stop()
        try await hub.restoreBackup()
        // The restore procedure's last step (docs/install.md): a new feed epoch, so every counter resyncs.
        _ = try await hub.admin("epoch", "renew")
        try await hub.start()
        #expect(try await hub.events().filter { $0.type == "redemption" }.count == 2)

        // The next upload (a rejected scan) is answered with acknowledged_sequence 2: the counter sends 3 to 5 again.
        #expect(try await daemon.ctl("redeem", "NO-SUCH-CODE").status != 0)
        for _ in 0..<20 {
            if try await hub.events().filter({ $0.type == "redemption" }).count >= 5 { break }
            _ = try await daemon.ctl("sync")
            try await Task.sleep(for: .milliseconds(200))
        }
        let events = try await hub.events().filter { $0.type == "redemption" }
        #expect(events.count == 5)
        #expect(Set(events.compactMap(\.deviceSequence)) == Set(1...5))
        #expect(events.allSatisfy { $0.status == "accepted" })
        #expect(daemon.stderr.contains("outcome=requeued"), "the counter says why it sends them again")
        let status = try decode(StatusResponse.self, try await daemon.ctl("status", "--json"))
        #expect(status.ledger.outboxPending == 0)

        // Both counters resynced in full: the code the restored hub lost is gone, and a revocation issued after
        // the restore reaches each of them.
        _ = try await hub.admin("tokens", "revoke", spare.tokenId, "--reason", "after-restore")
        for counter in [daemon, other] {
            #expect(try await counter.ctl("sync").status == 0)
            #expect(try decode(VerdictResponse.self, try await counter.ctl("check", spare.code, "--json")).reason == "revoked")
            #expect(try decode(VerdictResponse.self, try await counter.ctl("check", lost.code, "--json")).reason == "unknown_code")
        }
        #expect(try await hub.events().filter { $0.type == "redemption" }.count == 5, "nothing arrived twice")
        #expect(try await daemon.stop() == 0)
        #expect(try await other.stop() == 0)
    }
}
