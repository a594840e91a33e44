import CounterCore
import CounterLedger
import Foundation

/// Turns sync state into warnings in plain words.
enum SyncWarnings {

    static func evaluate(state: SyncState, dead: Int, now: Date) -> [String] {
        var warnings: [String] = []
        if let offset = state.serverTimeOffset, abs(offset) > Ledger.clockTolerance {
            warnings.append("clock is off by \(Int(saturating: abs(offset) / 60)) minutes against the hub: fix the time (timedatectl / NTP)")
        }
        if state.lastCompleteSyncAt == nil {
            warnings.append("never synced completely: run `counterctl sync` and check the network")
        } else if let last = state.lastCompleteSyncAt, let maxAge = state.maxDataAge, now.timeIntervalSince(last) > maxAge {
            warnings.append("data is stale: last complete sync \(Int(saturating: now.timeIntervalSince(last) / 3600)) h ago "
                            + "(limit \(Int(saturating: maxAge / 3600)) h); check the network, then `counterctl sync`")
        }
        if let error = state.lastError {
            warnings.append("last sync failed: \(error)")
        }
        if dead > 0 {
            warnings.append("\(dead) event(s) refused by the hub (dead letters): see `counterctl outbox list`; "
                            + "`counterctl outbox retry --all` sends them again once the platform has fixed the cause")
        }
        return warnings
    }
}
