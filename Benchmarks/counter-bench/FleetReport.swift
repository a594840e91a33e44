import CounterHub
import Foundation
import Synchronization

/// The audit at the end of a fleet run: every acknowledged event is in the commission engine's export exactly once,
/// and nothing else is.
struct FleetAudit {
    var acknowledged = 0
    var exported = 0
    var problems: [String] = []
    var isClean: Bool { problems.isEmpty }

    static func check(store: HubStore, recorder: FleetRecorder) throws -> FleetAudit {
        let state = recorder.state.withLock { $0 }
        var audit = FleetAudit(acknowledged: state.acknowledged.count)
        var seen: Set<String> = []
        var doubled = 0
        var conflicts = 0
        var cursor: String?
        while true {
            let page = try store.exportEvents(after: cursor, limit: 1000)
            for event in page.events {
                if !seen.insert(event.id).inserted { doubled += 1 }
                if event.status != "accepted" { conflicts += 1 }
            }
            cursor = page.nextCursor
            if page.upToDate { break }
        }
        audit.exported = seen.count + doubled
        let acknowledged = Set(state.acknowledged)
        let missing = acknowledged.subtracting(seen).count
        let unasked = seen.subtracting(acknowledged).count
        if doubled > 0 { audit.problems.append("\(doubled) events exported twice") }
        if acknowledged.count != state.acknowledged.count { audit.problems.append("an event acknowledged twice") }
        if missing > 0 { audit.problems.append("\(missing) acknowledged events missing from the export") }
        if unasked > 0 { audit.problems.append("\(unasked) exported events no counter saw acknowledged") }
        if conflicts > 0 { audit.problems.append("\(conflicts) conflicts") }
        if state.unacknowledged > 0 { audit.problems.append("\(state.unacknowledged) events never acknowledged") }
        if state.refused > 0 { audit.problems.append("\(state.refused) events refused") }
        return audit
    }
}

/// What one fleet run measured.
struct FleetResult {
    let name: String
    let counters: Int
    let enrollSeconds: Double
    let rssIdleMiB: Double
    let rssHeldMiB: Double
    let peakRSSMiB: Double
    /// CPU cores used in the steady phase (1.0 = one core busy).
    let hubCPU: Double
    let postgresCPU: Double
    let isPostgres: Bool
    let ingest: LatencySummary
    let feed: LatencySummary
    let fanOut: LatencySummary
    let failedRequests: Int
    let bytesPerMillionEvents: Double
    let audit: FleetAudit
    /// Every hub process exited on SIGTERM.
    let stoppedCleanly: Bool

    static func report(_ results: [FleetResult], counters: Int, interval: Double, steady: Int, burst: Int,
                       burstFactor: Double) -> String {
        func ms(_ micros: Double) -> String { String(format: micros < 10_000 ? "%.1f" : "%.0f", micros / 1000) }
        var lines = ["""
            \(counters) simulated counters; steady load 1 redemption per counter per \(format(interval)) s on average \
            (\(String(format: "%.0f", Double(counters) / interval))/s) for \(steady) s, then \(format(burstFactor))× for \(burst) s \
            (not in the failover run). Latencies in ms, as the counters saw them.

            | run | enroll + initial sync | hub RSS idle → all feeds held (per held request) | hub peak RSS | hub CPU (cores) | PostgreSQL CPU (cores) | ingest p50 / p99 / max | feed download p50 / p99 | revocation fan-out p50 / p99 / max (reached) | failed requests | size per 10^6 events | audit |
            |---|---|---|---|---|---|---|---|---|---|---|---|
            """]
        for r in results {
            let perRequest = (r.rssHeldMiB - r.rssIdleMiB) * 1024 / Double(max(1, r.counters))
            lines.append("| \(r.name) | \(format(r.enrollSeconds)) s | \(String(format: "%.0f → %.0f MiB (%.1f KiB)", r.rssIdleMiB, r.rssHeldMiB, perRequest)) "
                         + "| \(String(format: "%.0f", r.peakRSSMiB)) MiB | \(String(format: "%.2f", r.hubCPU)) "
                         + "| \(r.isPostgres ? String(format: "%.2f", r.postgresCPU) : "–") "
                         + "| \(ms(r.ingest.p50)) / \(ms(r.ingest.p99)) / \(ms(r.ingest.max)) (\(r.ingest.count)) "
                         + "| \(ms(r.feed.p50)) / \(ms(r.feed.p99)) | \(ms(r.fanOut.p50)) / \(ms(r.fanOut.p99)) / \(ms(r.fanOut.max)) (\(r.fanOut.count)/\(r.counters)) "
                         + "| \(r.failedRequests) | \(String(format: "%.0f MB", r.bytesPerMillionEvents / 1e6)) "
                         + "| \(r.audit.isClean ? "\(r.audit.exported) events, each once" : r.audit.problems.joined(separator: "; "))"
                         + "\(r.stoppedCleanly ? "" : "; a hub did not exit on SIGTERM") |")
        }
        if let postgres = results.first(where: { $0.isPostgres && !$0.name.contains("killed") }),
           let sqlite = results.first(where: { !$0.isPostgres }) {
            lines.append("")
            lines.append(String(format: "SQLite beside PostgreSQL on the same load: ingest p99 %.2f×, feed p99 %.2f×, fan-out p99 %.2f×, hub CPU %.2f×, hub peak RSS %.2f×.",
                                sqlite.ingest.p99 / max(1, postgres.ingest.p99), sqlite.feed.p99 / max(1, postgres.feed.p99),
                                sqlite.fanOut.p99 / max(1, postgres.fanOut.p99), sqlite.hubCPU / max(0.001, postgres.hubCPU),
                                sqlite.peakRSSMiB / max(1, postgres.peakRSSMiB)))
        }
        return lines.joined(separator: "\n")
    }
}
