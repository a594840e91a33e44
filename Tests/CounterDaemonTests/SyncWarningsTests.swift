@testable import CounterDaemon
import CounterLedger
import Foundation
import Testing

@Suite struct SyncWarningsTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func state(offset: TimeInterval? = 0, lastSync: TimeInterval? = -60, maxAge: TimeInterval? = 3600,
               error: String? = nil) -> SyncState {
        SyncState(cursor: "c", position: 1, resyncInProgress: false, keySetVersion: 1, maxDataAge: maxAge, shopName: nil,
                  shopTimeZone: nil, lastPageAt: nil, lastCompleteSyncAt: lastSync.map { now + $0 },
                  serverTimeOffset: offset, lastError: error, lastErrorAt: nil)
    }

    @Test func healthyCounterHasNoWarnings() {
        #expect(SyncWarnings.evaluate(state: state(), dead: 0, now: now).isEmpty)
    }

    @Test func clockOffByMoreThanTwoHours() {
        #expect(SyncWarnings.evaluate(state: state(offset: 7199), dead: 0, now: now).isEmpty)
        let warnings = SyncWarnings.evaluate(state: state(offset: -7201), dead: 0, now: now)
        #expect(warnings.count == 1)
        #expect(warnings[0].contains("clock is off by 120 minutes"))
    }

    @Test func staleDataNeverSyncedFailingAndDeadLetters() {
        #expect(SyncWarnings.evaluate(state: state(lastSync: -3601), dead: 0, now: now).first?.contains("data is stale") == true)
        #expect(SyncWarnings.evaluate(state: state(lastSync: -3599), dead: 0, now: now).isEmpty)
        #expect(SyncWarnings.evaluate(state: state(lastSync: nil), dead: 0, now: now).first?.contains("never synced") == true)
        #expect(SyncWarnings.evaluate(state: state(error: "hub unreachable: refused"), dead: 0, now: now)
                == ["last sync failed: hub unreachable: refused"])
        #expect(SyncWarnings.evaluate(state: state(), dead: 2, now: now).first?.contains("2 event(s) refused") == true)
    }
}
