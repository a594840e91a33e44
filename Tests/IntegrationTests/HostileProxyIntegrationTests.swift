import CounterAPIModels
import Foundation
import Testing

/// The scripted proxy (Tests/Tools/hostile_proxy.py) in front of a real counter-hub: its port, and the file that
/// switches it between forwarding and hostile answers.
final class HostileProxy: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let modeFile = "/tmp/cd-proxy-\(UUID().uuidString.prefix(8))"
    private(set) var port = 0
    var url: String { "http://127.0.0.1:\(port)" }

    init(upstream: String) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Tools/hostile_proxy.py").standardized
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, upstream, modeFile]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        port = Int(String(decoding: line, as: UTF8.self)) ?? 0
        guard port > 0 else { throw ProxyError() }
    }

    func set(_ mode: String) throws { try mode.write(toFile: modeFile, atomically: true, encoding: .utf8) }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: modeFile)
    }

    struct ProxyError: Error {}
}

/// A scripted proxy in front of the real counter-hub answers counterd with absurd headers and bodies (issue 15,
/// item 2: `Retry-After: 1e309` once killed counterd with SIGILL). counterd logs, keeps redeeming, and recovers
/// when the real hub answers again.
extension SyncIntegrationTests {
    @Test func absurdAnswersFromAProxyNeitherStopNorCorruptTheCounter() async throws {
        let hub = try await RunningHub()
        let codes = try await hub.issue(3)
        let proxy = try HostileProxy(upstream: hub.url)
        defer { proxy.stop() }
        let daemon = try await RunningDaemon(hub: hub, hubURL: proxy.url)
        #expect(try await daemon.ctl("sync", "--json").status == 0, "through the proxy while it forwards")

        try proxy.set("hostile")
        let first = try await daemon.ctl("redeem", codes[0].code, "--json")
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        // Every sync now meets the next absurd answer; the loops meet the rest on their own.
        for _ in 0..<14 { _ = try await daemon.ctl("sync", "--json") }
        let second = try await daemon.ctl("redeem", codes[1].code, "--json")
        #expect(second.status == 0, "counterd still redeems: \(second.stdout) \(second.stderr)")
        let status = try decode(StatusResponse.self, try await daemon.ctl("status", "--json"))
        #expect(status.ledger.outboxPending >= 2, "nothing was lost or dropped")
        #expect(status.ledger.outboxDead == 0, "no proxy answer dead-letters a redemption")
        #expect(try decode(StatusResponse.self, try await daemon.ctl("status", "--json")).ledger.tokens == 3,
                "no hostile page changed the cache")

        try proxy.set("forward")
        let recovered = try await daemon.ctl("sync", "--json")
        #expect(recovered.status == 0, "\(recovered.stdout) \(recovered.stderr)")
        let events = try await waitForHub(hub, type: "redemption", count: 2, seconds: 10)
        #expect(Set(events.map(\.id)) == Set([first, second].compactMap { try? decode(VerdictResponse.self, $0).redemptionId }))
        #expect(events.allSatisfy { $0.status == "accepted" }, "each exactly once")
        #expect(try await daemon.stop() == 0, "counterd never crashed: \(daemon.stderr.suffix(2000))")
    }
}
