import Foundation
import Synchronization

/// How many rejected scans per source the ledger records, so that one local process or a scanner
/// spewing garbage cannot fill the disk with fsync'd rows and uploads: a token bucket per source
/// (`burst` at once, then `perMinute`). A scan over budget still gets its verdict; only the row and
/// its upload are skipped, and counted.
public final class RejectionBudget: Sendable {
    public let burst: Double
    public let perMinute: Double
    /// Sources tracked at most; beyond it the fullest buckets are forgotten (a full bucket carries no state).
    static let maximumSources = 256
    private let state = Mutex<(buckets: [String: (tokens: Double, at: Date)], skipped: Int)>(([:], 0))

    public init(burst: Int = 120, perMinute: Int = 60) {
        self.burst = Double(max(1, burst))
        self.perMinute = Double(max(0, perMinute))
    }

    /// Takes one rejection from `source`'s budget at `now`; `false` when it is spent.
    public func take(_ source: String, at now: Date) -> Bool {
        state.withLock { state in
            var bucket = state.buckets[source] ?? (burst, now)
            let elapsed = max(0, now.timeIntervalSince(bucket.at))
            bucket.tokens = min(burst, bucket.tokens + elapsed * perMinute / 60)
            bucket.at = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 } else { state.skipped += 1 }
            state.buckets[source] = bucket
            if state.buckets.count > Self.maximumSources {
                let burst = self.burst
                state.buckets = state.buckets.filter { $0.value.tokens + max(0, now.timeIntervalSince($0.value.at)) * perMinute / 60 < burst }
                if state.buckets.count > Self.maximumSources { state.buckets = [source: bucket] }
            }
            return allowed
        }
    }

    /// Rejections not recorded because their source was over budget, since start.
    public var skipped: Int { state.withLock { $0.skipped } }
}
