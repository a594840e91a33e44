import CounterCore
@testable import CounterHub
import CounterSyncModels
import CounterTestSupport
import Foundation
import GRDB
import Testing

/// Issue 16, item 4: a hub restored from an older backup never lets a counter's cursor hide a change, and a
/// new epoch makes every counter resync in full.
@Suite struct RestoreTests {
    /// Reads the feed from `cursor` until up to date; returns the last page and the token ids seen.
    func sync(_ store: HubStore, _ device: HubDevice, from cursor: String?) throws -> (last: FeedPage, tokens: [String]) {
        var cursor = cursor
        var tokens: [String] = []
        for _ in 0..<100 {
            let page = try store.feedPage(for: device, cursor: cursor, limit: 100)
            tokens += page.tokens.map(\.tokenId)
            cursor = page.nextCursor
            if page.upToDate { return (page, tokens) }
        }
        throw HubError("test", "the feed never reached up_to_date")
    }

    @Test func aRestoredHubContinuesAboveEveryPositionItHandedOut() throws {
        let hub = try Hub()
        let synced = try sync(hub.store, hub.device, from: nil).last

        // The backup, taken while the hub runs (SQLite's online backup, or pg_dump).
        let restoredLocation = try TestDatabase.backup(of: hub.location)

        // After it: a revocation the counter receives, and that the backup lacks.
        try hub.store.revokeToken(hub.issued[0].tokenId, reason: "refund")
        let afterBackup = try sync(hub.store, hub.device, from: synced.nextCursor).last
        #expect(afterBackup.revocations.map(\.tokenId) == [hub.issued[0].tokenId])

        // Restored: the counter's cursor is from after the backup. Nothing the restored hub changes from now on
        // may sort below it, or the counter would never see it.
        let restored = try HubStore(location: restoredLocation)
        let quiet = try restored.feedPage(for: hub.device, cursor: afterBackup.nextCursor, limit: 100)
        #expect(quiet.position >= afterBackup.position, "a counter rejects a feed whose position went backwards")
        try restored.revokeToken(hub.issued[1].tokenId, reason: "fraud")
        let change = try sync(restored, hub.device, from: afterBackup.nextCursor).last
        #expect(!change.reset)
        #expect(change.revocations.map(\.tokenId) == [hub.issued[1].tokenId], "the revocation after the restore reaches the counter")
        #expect(change.position > afterBackup.position)
    }

    @Test func aNewEpochResetsEveryCursorAndPositionsStillRise() throws {
        let hub = try Hub()
        let synced = try sync(hub.store, hub.device, from: nil).last
        // A cursor from before epochs existed belongs to the first (empty) epoch.
        let legacy = Data("v1:SHOP-1:\(synced.position)".utf8).base64EncodedString()
        #expect(try !hub.store.feedPage(for: hub.device, cursor: legacy, limit: 100).reset)
        #expect(try !hub.store.feedPage(for: hub.device, cursor: synced.nextCursor, limit: 100).reset)

        let epoch = try hub.store.renewEpoch()
        #expect(epoch.count == 16)
        for cursor in [legacy, synced.nextCursor] {
            let page = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 100)
            #expect(page.reset)
            #expect(page.keySet != nil)
            #expect(page.position >= synced.position)
        }
        let resynced = try sync(hub.store, hub.device, from: nil)
        #expect(Set(resynced.tokens) == Set(hub.issued.map(\.tokenId)))
        #expect(try !hub.store.feedPage(for: hub.device, cursor: resynced.last.nextCursor, limit: 100).reset)
        #expect(try hub.store.renewEpoch() != epoch)
    }

    @Test func positionsFollowTheClockAndNeverGoBack() throws {
        let hub = try Hub()
        let late = Date().addingTimeInterval(3600)
        let position = try hub.store.database.write { try HubStore.nextPosition($0, for: .everyShop, now: late) }
        #expect(position == HubStore.clockPosition(late))
        // A clock set back (or two changes in one microsecond) still moves the position forward.
        let next = try hub.store.database.write { try HubStore.nextPosition($0, for: .everyShop, now: Date()) }
        #expect(next == position + 1)
        #expect(HubStore.clockPosition(Date(timeIntervalSince1970: -5)) == 0)
        #expect(HubStore.clockPosition(Date.distantFuture) == 1 << 52, "a clock far ahead leaves 2^52 positions in the contract's range")
        #expect(HubStore.clockPosition(Date(timeIntervalSince1970: 1_800_000_000.25)) == 1_800_000_000_250_000)
    }
}
