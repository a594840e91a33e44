import Foundation

/// Percentiles of a set of latency samples, in microseconds.
struct LatencySummary {
    let count: Int
    let p50: Double
    let p90: Double
    let p99: Double
    let max: Double

    init(_ samples: [Duration]) {
        let micros = samples.map { Double($0.components.seconds) * 1e6 + Double($0.components.attoseconds) / 1e12 }.sorted()
        func percentile(_ p: Double) -> Double {
            guard !micros.isEmpty else { return 0 }
            return micros[min(micros.count - 1, Int((p * Double(micros.count)).rounded(.up)) - 1)]
        }
        count = micros.count
        p50 = percentile(0.50)
        p90 = percentile(0.90)
        p99 = percentile(0.99)
        max = micros.last ?? 0
    }

    /// A markdown table row: name, samples, p50, p90, p99, max (µs), and p50 as a ratio to `baseline`.
    func row(_ name: String, baseline: LatencySummary) -> String {
        func f(_ value: Double) -> String { String(format: value < 100 ? "%.1f" : "%.0f", value) }
        return "| \(name) | \(count) | \(f(p50)) | \(f(p90)) | \(f(p99)) | \(f(max)) | \(String(format: p50 / baseline.p50 < 0.1 ? "%.3f" : "%.2f", p50 / baseline.p50))× |"
    }
}

/// Measures one call.
func measure(_ body: () async throws -> Void) async rethrows -> Duration {
    let start = ContinuousClock.now
    try await body()
    return ContinuousClock.now - start
}
