import CounterAPIModels
import CounterCore
import CounterTestSupport
import Foundation
import Testing

/// 对账 end to end (issue 17, item 6): a real counterd closes a shift against a real counter-hub that lost one of its
/// events; the hub answers mismatched with that sequence, counterd sends it again with the close, and the hub answers
/// matched. The hub's statement of the day then counts every redemption once.
@Suite(.serialized) struct ReconciliationIntegrationTests {
    @Test func aHubThatLostAnEventSaysSoAndGetsItAgain() async throws {
        let hub = try await RunningHub()
        let codes = try await hub.issue(3)
        let daemon = try await RunningDaemon(hub: hub)
        do {
            #expect(try await daemon.ctl("shift", "open").status == 0)
            for code in codes { #expect(try await daemon.ctl("redeem", code.code).status == 0) }
            #expect(try await daemon.ctl("sync").status == 0)
            let redemptions = try await hub.events().filter { $0.type == "redemption" }
            #expect(redemptions.count == 3)
            let device = try #require(redemptions.first?.deviceId)
            try await hub.forget(device: device, sequence: 2)
            #expect(try await hub.events().filter { $0.type == "redemption" }.count == 2)

            let close = try await daemon.ctl("shift", "close", "--json")
            #expect(close.status == 0, "\(close.stderr)")
            let report = try WireJSON.decoder().decode(ShiftSlipResponse.self, from: Data(close.stdout.utf8)).report
            #expect(report.redemptions.count == 3 && report.firstSequence == 1 && report.lastSequence == 3)

            // The upload answers mismatched (sequence 2), counterd queues it and the close again; within a few syncs: matched.
            var status: ShiftReport.Reconciliation?
            for _ in 0..<10 {
                _ = try await daemon.ctl("sync")
                let shift = try WireJSON.decoder().decode(ShiftStatusResponse.self,
                                                          from: Data(try await daemon.ctl("shift", "report", "--json").stdout.utf8))
                status = shift.lastClosed?.reconciliation
                if status?.status == "matched" { break }
                try await Task.sleep(for: .milliseconds(300))
            }
            #expect(status?.status == "matched")
            try await daemon.waitForLog("outcome=mismatched")
            #expect(daemon.stderr.contains("missing=1"))
            let held = try await hub.events().filter { $0.type == "redemption" }
            #expect(held.count == 3 && Set(held.compactMap(\.deviceSequence)) == [1, 2, 3])
            #expect(try await daemon.ctl("shift", "report").stdout.contains("对账一致"))

            // The day's statement counts every redemption once, and the close as matched.
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
            let statement = try JSONSerialization.jsonObject(with: Data(try await hub.admin(
                "statement", "--shop", "SHOP-1", "--date", formatter.string(from: Date()), "--json").utf8)) as? [String: Any]
            let totals = statement?["totals"] as? [String: Any]
            #expect(totals?["redemptions"] as? Int == 3)
            #expect(totals?["net_reward_fen"] as? Int == 600)
            let closes = statement?["shift_closes"] as? [[String: Any]]
            #expect(closes?.map { $0["reconciliation"] as? String } == ["matched"])
            let csv = try await hub.admin("statement", "--shop", "SHOP-1", "--date", formatter.string(from: Date()), "--csv")
            let rows = csv.split(separator: "\n")
            #expect(rows.dropLast().last == "*,合计 Total,3,3,5400,600,0,0,0,600")
            #expect(rows.last == "training,练习 Training,0,0,0,0,0,0,0,0")
        } catch {
            _ = try? await daemon.stop()
            hub.stop()
            throw error
        }
        #expect(try await daemon.stop() == 0)
        hub.stop()
    }
}
