import CounterAPIModels
import CounterClient
import CounterCore
import CounterTestSupport
import Foundation
import Testing

/// The real `counterd` binary driven through the real `counterctl` binary and real ptys.
@Suite(.serialized) struct DaemonIntegrationTests {
    func json<T: Decodable>(_ type: T.Type, _ result: CommandResult) throws -> T {
        try WireJSON.decoder().decode(T.self, from: Data(result.stdout.utf8))
    }

    @Test func counterctlRedeemsChecksVoidsAndListsHistory() async throws {
        let daemon = try await RunningDaemon()
        let redeemed = try await daemon.ctl("redeem", "demo-0001", "--json")
        #expect(redeemed.status == 0, "\(redeemed.stderr)")
        let verdict = try json(VerdictResponse.self, redeemed)
        #expect(verdict.verdict == "accepted")
        #expect(verdict.reason == "ok")
        #expect(verdict.usesLeft == 0)
        #expect(verdict.campaignId == "DEMO-COFFEE")
        #expect(verdict.tokenId?.count == 32)
        #expect(verdict.message.zh.contains("核销成功"))
        let redemptionID = try #require(verdict.redemptionId)

        let again = try await daemon.ctl("redeem", "DEMO-0001", "--json")
        #expect(again.status == 1)
        #expect(try json(VerdictResponse.self, again).reason == "already_redeemed")

        let text = try await daemon.ctl("redeem", "DEMO-EXPD")
        #expect(text.status == 1)
        #expect(text.stdout.contains("expired"))
        #expect(text.stdout.contains("此码已过期"))

        let check = try await daemon.ctl("check", "CARD-0010", "--uses", "3", "--json")
        #expect(check.status == 0)
        #expect(try json(VerdictResponse.self, check).usesLeft == 10)

        let card = try await daemon.ctl("redeem", "CARD-0010", "--uses", "3", "--json")
        #expect(try json(VerdictResponse.self, card).usesLeft == 7)

        let void = try await daemon.ctl("void", redemptionID, "--json")
        #expect(void.status == 0, "\(void.stdout) \(void.stderr)")
        #expect(try json(VoidResponse.self, void).status == "voided")
        let voidAgain = try await daemon.ctl("void", redemptionID)
        #expect(voidAgain.status == 1)
        #expect(voidAgain.stdout.contains("already_voided"))

        let history = try json(HistoryResponse.self, try await daemon.ctl("history", "--limit", "10", "--json"))
        #expect(history.redemptions.count == 2)
        #expect(history.redemptions.last?.voidedAt != nil)
        #expect(history.redemptions.first?.source == "counterctl")

        let status = try json(StatusResponse.self, try await daemon.ctl("status", "--json"))
        #expect(status.ledger.redemptions == 2)
        #expect(status.ledger.voids == 1)
        #expect(status.ledger.lastSequence == 3)
        #expect(try await daemon.ctl("status").stdout.contains("device it-counter"))

        // The verdict is logged in one structured line, without the code.
        try await daemon.waitForLog("reason=already_redeemed")
        #expect(!daemon.stderr.contains("DEMO0001") && !daemon.stderr.contains("DEMO-0001"))
        #expect(try await daemon.stop() == 0)
    }

    /// Issue 15, item 5: `counterctl outbox list|retry` over the socket.
    @Test func outboxListAndRetry() async throws {
        let daemon = try await RunningDaemon()
        #expect(try await daemon.ctl("redeem", "DEMO-0002").status == 0)
        let dead = try await daemon.ctl("outbox", "list")
        #expect(dead.status == 0 && dead.stdout.contains("no dead letters"), "\(dead.stdout) \(dead.stderr)")
        let pending = try await daemon.ctl("outbox", "list", "--pending", "--json")
        let list = try WireJSON.decoder().decode(OutboxListResponse.self, from: Data(pending.stdout.utf8))
        #expect(list.state == "pending" && list.entries.map(\.kind) == ["redemption"], "\(pending.stdout)")
        let unknown = try await daemon.ctl("outbox", "retry", "0192f0c1-2a3b-7c4d-8e5f-0123456789ab")
        #expect(unknown.status == 1 && unknown.stderr.contains("not dead letters here"), "\(unknown.stderr)")
        let all = try await daemon.ctl("outbox", "retry", "--all", "--json")
        #expect(all.status == 0 && all.stdout.contains("\"requeued\":[]"), "\(all.stdout)")
        #expect(try await daemon.ctl("outbox", "retry").status == 64, "ids or --all")
        #expect(try await daemon.ctl("outbox", "retry", "not-a-uuid").status == 64)
        #expect(try await daemon.stop() == 0)
    }

    @Test func usageErrorsExit64() async throws {
        let daemon = try await RunningDaemon()
        #expect(try await daemon.ctl("redeem", "DEMO-0002", "--uses", "0").status == 64)
        #expect(try await daemon.ctl("void", "not-a-uuid").status == 64)
        #expect(try await daemon.ctl("history", "--limit", "0").status == 64)
        #expect(try await run(Binaries.counterctl, ["frobnicate"]).status == 64)
        #expect(try await daemon.stop() == 0)
    }

    @Test func unreachableDaemonExits69WithAHint() async throws {
        let result = try await run(Binaries.counterctl, ["status", "--socket", "/tmp/counterd-nothing-here.sock"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("Start it with"))
    }

    @Test func serialScannerOnAPtyRedeems() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["front"])
        daemon.ptys[0].write("DEMO-0002\r")
        daemon.ptys[0].write("\u{1B}[garbage\r")
        daemon.ptys[0].write("DEMO-00")
        try await daemon.waitForLog("verdict=", count: 3)
        let history = try json(HistoryResponse.self, try await daemon.ctl("history", "--json"))
        #expect(history.redemptions.map(\.source) == ["front"])
        let status = try json(StatusResponse.self, try await daemon.ctl("status", "--json"))
        #expect(status.ledger.rejections == 2, "garbage and the cut-off scan")
        #expect(daemon.stderr.contains("reason=malformed"))
        #expect(daemon.stderr.contains("cut off before its end"))
        #expect(try await daemon.stop() == 0)
    }

    @Test func sameCodeFromTwoScannersAtOnceIsAcceptedOnce() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["left", "right"])
        for round in 0..<5 {
            let code = ["DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-AWAY", "CARD-0010"][round]
            await withTaskGroup(of: Void.self) { group in
                for pty in daemon.ptys { group.addTask { pty.write(code + "\r") } }
            }
        }
        try await daemon.waitForLog("verdict=", count: 10)
        let history = try json(HistoryResponse.self, try await daemon.ctl("history", "--json"))
        // Three single-use codes once each; the 10-visit card twice; the wrong-shop code never.
        #expect(history.redemptions.count == 5)
        #expect(Set(history.redemptions.map(\.tokenId)).count == 4)
        let status = try json(StatusResponse.self, try await daemon.ctl("status", "--json"))
        #expect(status.ledger.rejections == 5)
        #expect(status.ledger.lastSequence == 5)
        #expect(try await daemon.stop() == 0)
    }

    @Test func badConfigurationExits78NamingTheKey() async throws {
        let path = "/tmp/cd-bad-\(UUID().uuidString.prefix(8)).yaml"
        try "device:\n  id: a\n  shop: b\nstate_directory: /tmp/x\nscanners:\n  - name: s\n    type: serial\n    path: /dev/ttyACM0\n    terminator: enter\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await run(Binaries.counterd, ["run", "--config", path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("scanners[0].terminator = \"enter\""))
        #expect(result.stderr.contains("Fix: use one of cr, lf, crlf, tab, none"))

        let check = try await run(Binaries.counterd, ["check-config", "--config", path])
        #expect(check.status == 78)
        let missing = try await run(Binaries.counterd, ["check-config", "--config", "/nonexistent.yaml"])
        #expect(missing.status == 78)
    }

    @Test func demoDefaultTakesTypedCodes() async throws {
        let workdir = "/tmp/cd-demo-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: workdir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workdir) }
        let process = Process()
        process.executableURL = Binaries.counterd
        process.currentDirectoryURL = URL(fileURLWithPath: workdir)
        process.environment = ProcessInfo.processInfo.environment.merging(["COUNTERD_SOCKET": workdir + "/demo.sock"]) { $1 }
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data("demo-0001\nDEMO-0001\n".utf8))
        let deadline = ContinuousClock.now + .seconds(20)
        var seen = ""
        while !(seen.contains("ACCEPTED") && seen.contains("already_redeemed")), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            seen += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        }
        process.terminate()
        process.waitUntilExit()
        #expect(seen.contains("counterd demo"))
        #expect(seen.contains("RC1:"), "the banner offers a signed code")
        #expect(seen.contains("✔ 通过 ACCEPTED"))
        #expect(seen.contains("核销成功"))
        #expect(seen.contains("already_redeemed"))
        #expect(FileManager.default.fileExists(atPath: workdir + "/counterd-demo/ledger.sqlite"))
    }
}
