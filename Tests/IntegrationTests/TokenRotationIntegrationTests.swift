import CounterAPIModels
import CounterCore
import Foundation
import Testing

/// Issue 16, item 5: counterd rotates its device token when it is older than `hub.token_rotation`, keeps syncing
/// with the new one, and the old one is refused from then on.
@Suite(.serialized) struct TokenRotationIntegrationTests {
    /// The credential file's JSON object.
    func credential(_ daemon: RunningDaemon) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: daemon.directory + "/state/credential.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The status of `GET /v1/feed` at the hub with `token`.
    func feedStatus(_ hub: RunningHub, token: String) async throws -> String {
        try await run(URL(fileURLWithPath: "/usr/bin/curl"),
                      ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(token)", "\(hub.url)/v1/feed"]).stdout
    }

    @Test func anOldTokenIsRotatedAtStartAndTheCounterKeepsSyncing() async throws {
        let hub = try await RunningHub()
        let tokens = try await hub.issue(2)
        let daemon = try await RunningDaemon(extraYAML: "hub:\n  poll_interval: 5s\n  token_rotation: 30d\n", hub: hub,
                                             replacingHubSection: true)
        #expect(try await daemon.ctl("sync").status == 0)
        let enrolled = try credential(daemon)
        let oldToken = try #require(enrolled["deviceToken"] as? String)
        #expect(enrolled["tokenIssuedAt"] == nil)
        #expect(!daemon.stderr.contains("device token rotated"), "a fresh token is not rotated")

        // The token is 31 days old now (as if enrolled then); counterd rotates it when it starts.
        #expect(try await daemon.stop() == 0)
        var aged = enrolled
        aged["enrolledAt"] = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-31 * 86_400))
        try JSONSerialization.data(withJSONObject: aged).write(to: URL(fileURLWithPath: daemon.directory + "/state/credential.json"))
        try await daemon.restart()
        try await daemon.waitForLog("device token rotated")
        let rotated = try credential(daemon)
        let newToken = try #require(rotated["deviceToken"] as? String)
        #expect(newToken != oldToken)
        #expect(rotated["tokenIssuedAt"] != nil)
        #expect(!daemon.stderr.contains(newToken) && !daemon.stderr.contains(oldToken), "tokens never reach the log")

        // The counter syncs and uploads with the new token; from its first use the old one is refused.
        #expect(try await daemon.ctl("sync").status == 0)
        #expect(try await daemon.ctl("redeem", tokens[0].code).status == 0)
        var delivered = 0
        for _ in 0..<100 where delivered == 0 {
            try await Task.sleep(for: .milliseconds(100))
            delivered = try await hub.events().filter { $0.type == "redemption" }.count
        }
        #expect(delivered == 1)
        #expect(try await feedStatus(hub, token: oldToken) == "401")
        #expect(try await feedStatus(hub, token: newToken) == "200")

        // Restarted, it uses the saved token and does not rotate again.
        #expect(try await daemon.stop() == 0)
        try await daemon.restart()
        #expect(try await daemon.ctl("sync").status == 0)
        #expect(daemon.stderr.components(separatedBy: "device token rotated").count == 2)
        #expect(try credential(daemon)["deviceToken"] as? String == newToken)
        #expect(try await daemon.stop() == 0)
    }
}
