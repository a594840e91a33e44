import CounterDaemon
import CounterDoctor
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@Suite struct MetricsTests {
    @Test func exposesVerdictsLatencyAndState() {
        let metrics = DaemonMetrics()
        metrics.recordVerdict(accepted: true, reason: "ok", duration: .milliseconds(3))
        metrics.recordVerdict(accepted: false, reason: "already_redeemed", duration: .milliseconds(1))
        metrics.recordVerdict(accepted: false, reason: "already_redeemed", duration: .milliseconds(700))
        let text = metrics.exposition(.init(uploadQueue: 4, deadLetters: 1, lastSyncAgeSeconds: 42, enrolled: true,
                                            receipts: ["pending": 2, "printed": 7], scanners: ["reading": 1, "error": 1, "detached": 3]))
        #expect(text.contains(#"counterd_redemptions_total{verdict="accepted",reason="ok"} 1"#), "\(text)")
        #expect(text.contains(#"counterd_redemptions_total{verdict="rejected",reason="already_redeemed"} 2"#))
        #expect(text.contains("counterd_verify_duration_seconds_count 3"))
        #expect(text.contains(#"counterd_verify_duration_seconds_bucket{le="0.005"} 2"#))
        #expect(text.contains(#"counterd_verify_duration_seconds_bucket{le="+Inf"} 3"#))
        #expect(text.contains("counterd_upload_queue_depth 4"))
        #expect(text.contains("counterd_dead_letters 1"))
        #expect(text.contains("counterd_last_sync_age_seconds 42"))
        #expect(text.contains(#"counterd_receipt_jobs{state="pending"} 2"#))
        #expect(text.contains(#"counterd_receipt_jobs{state="failed"} 0"#))
        #expect(text.contains(#"counterd_scanners{state="reading"} 1"#))
        #expect(text.contains("counterd_scanners_attached 2"), "a detached scanner is not attached")
    }

    @Test func stateGaugesFollowTheLatestScrape() {
        let metrics = DaemonMetrics()
        _ = metrics.exposition(.init(uploadQueue: 9, deadLetters: 0, lastSyncAgeSeconds: nil, enrolled: false,
                                     receipts: [:], scanners: ["detached": 1, "opening": 2]))
        let text = metrics.exposition(.init(uploadQueue: 0, deadLetters: 0, lastSyncAgeSeconds: nil, enrolled: false,
                                            receipts: [:], scanners: ["reading": 1]))
        #expect(text.contains(#"counterd_scanners{state="detached"} 0"#), "a replugged scanner is no longer detached: \(text)")
        #expect(text.contains(#"counterd_scanners{state="opening"} 0"#), "a state seen once reads 0 when no scanner is in it")
        #expect(text.contains(#"counterd_scanners{state="reading"} 1"#))
        #expect(text.contains("counterd_upload_queue_depth 0"))
        #expect(text.contains("counterd_last_sync_age_seconds -1"), "never synced reads -1")
        #expect(!text.contains("counterd_receipt_jobs"), "no printer, no receipt gauges")
    }

    @Test func metricsEndpointCountsRedemptions() async throws {
        try await APITests.withAPI { client in
            _ = try await client.execute(uri: "/api/v1/redeem", method: .post, body: ByteBuffer(string: #"{"code": "DEMO-0001"}"#))
            _ = try await client.execute(uri: "/api/v1/redeem", method: .post, body: ByteBuffer(string: #"{"code": "DEMO-0001"}"#))
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"counterd_redemptions_total{verdict="accepted",reason="ok"} 1"#), "\(text)")
                #expect(text.contains(#"counterd_redemptions_total{verdict="rejected",reason="already_redeemed"} 1"#))
                #expect(text.contains("counterd_upload_queue_depth 2"), "the redemption and the rejection wait for upload")
                #expect(text.contains("counterd_enrolled 0"))
            }
        }
    }

    @Test func diagnosticsAreForTheSocketAndMetricsForBoth() async throws {
        try await APITests.withAPI(guarded: true) { client in
            let local: HTTPFields = [.init("Host")!: "127.0.0.1:8765"]
            try await client.execute(uri: "/api/v1/diagnostics", method: .get, headers: local) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/metrics", method: .get, headers: local) { response in
                #expect(response.status == .ok, "Prometheus scrapes the TCP listener")
            }
        }
    }

    @Test func diagnosticsEndpointAnswersEveryDaemonCheck() async throws {
        try await APITests.withAPI { client in
            try await client.execute(uri: "/api/v1/diagnostics", method: .get) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                let checks = object?["checks"] as? [[String: Any]] ?? []
                #expect(checks.map { $0["id"] as? String } == LocalChecks.daemonCheckIDs)
                let database = checks.first { $0["id"] as? String == "database" }
                #expect(database?["outcome"] as? String == "ok")
            }
        }
    }
}
