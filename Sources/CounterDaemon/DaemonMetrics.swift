import CounterAPIModels
import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// counterd's Prometheus metrics (`GET /metrics`, docs/local-api.md). Events (verdicts and their latency)
/// are counted as they happen through swift-metrics; state (queues, sync age, printer jobs, scanners) is
/// read when the endpoint is scraped. Each daemon has its own registry, so tests may run several.
public final class DaemonMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// Every scanner state a scrape has reported, so a state no scanner is in any more reads 0, not its last count.
    private let scannerStates = Mutex<Set<String>>(["reading", "error", "detached"])

    /// The latency buckets of ``recordVerdict(accepted:reason:duration:)``, in seconds.
    static let verifyBuckets: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1),
    ]

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["counterd_verify_duration_seconds"] = Self.verifyBuckets
        self.factory = factory
    }

    /// Counts one verdict and the time from the code to the committed verdict.
    public func recordVerdict(accepted: Bool, reason: String, duration: Duration) {
        Counter(label: "counterd_redemptions_total",
                dimensions: [("verdict", accepted ? "accepted" : "rejected"), ("reason", reason)], factory: factory)
            .increment()
        Timer(label: "counterd_verify_duration_seconds", factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// Counts one void the ledger accepted.
    public func recordVoid() {
        Counter(label: "counterd_voids_total", factory: factory).increment()
    }

    /// The state a scrape reports, read from the ledger, the printer queue and the scanner registry.
    public struct Snapshot: Sendable {
        public var uploadQueue: Int
        public var deadLetters: Int
        /// Seconds since the last complete sync; `nil` when the counter never synced or is not enrolled.
        public var lastSyncAgeSeconds: Int?
        public var enrolled: Bool
        /// Receipt jobs by state (`pending`, `submitted`, `printed`, `failed`); empty when printing is off.
        public var receipts: [String: Int]
        /// Scanners by state (`reading`, `error`, …).
        public var scanners: [String: Int]

        public init(uploadQueue: Int, deadLetters: Int, lastSyncAgeSeconds: Int?, enrolled: Bool,
                    receipts: [String: Int], scanners: [String: Int]) {
            self.uploadQueue = uploadQueue
            self.deadLetters = deadLetters
            self.lastSyncAgeSeconds = lastSyncAgeSeconds
            self.enrolled = enrolled
            self.receipts = receipts
            self.scanners = scanners
        }
    }

    /// The Prometheus text exposition of every metric, with the state gauges set from `snapshot`.
    public func exposition(_ snapshot: Snapshot) -> String {
        gauge("counterd_upload_queue_depth", Double(snapshot.uploadQueue))
        gauge("counterd_dead_letters", Double(snapshot.deadLetters))
        gauge("counterd_enrolled", snapshot.enrolled ? 1 : 0)
        // Never synced reads as -1, so an alert on a large age does not fire before the first sync.
        gauge("counterd_last_sync_age_seconds", Double(snapshot.lastSyncAgeSeconds ?? -1))
        for state in ["pending", "submitted", "printed", "failed"] where !snapshot.receipts.isEmpty {
            gauge("counterd_receipt_jobs", Double(snapshot.receipts[state] ?? 0), [("state", state)])
        }
        let states = scannerStates.withLock { seen in
            seen.formUnion(snapshot.scanners.keys)
            return seen
        }
        for state in states.sorted() {
            gauge("counterd_scanners", Double(snapshot.scanners[state] ?? 0), [("state", state)])
        }
        let attached = snapshot.scanners.filter { $0.key != "detached" }.values.reduce(0, +)
        gauge("counterd_scanners_attached", Double(attached))
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func gauge(_ name: String, _ value: Double, _ dimensions: [(String, String)] = []) {
        Gauge(label: name, dimensions: dimensions, factory: factory).record(value)
    }
}

extension Duration {
    /// The duration in whole nanoseconds.
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
