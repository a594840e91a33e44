import CounterAPIModels
import CounterCore
import CounterSyncModels
import Foundation

/// What the sync integration suites read back: counterctl's JSON, the sync report, the hub's events.
protocol SyncChecks {}

extension SyncChecks {
    func decode<T: Decodable>(_ type: T.Type, _ result: CommandResult) throws -> T {
        try WireJSON.decoder().decode(T.self, from: Data(result.stdout.utf8))
    }

    /// `counterctl sync --json` prints JSON lines; the last one carries the report.
    func syncReport(_ result: CommandResult) throws -> SyncNowReport {
        let lines = result.stdout.split(separator: "\n").map { try? WireJSON.decoder().decode(SyncProgressLine.self, from: Data($0.utf8)) }
        guard let report = lines.last??.report, lines.allSatisfy({ $0 != nil }) else {
            throw HubCommandError(arguments: ["sync"], output: result.stdout)
        }
        return report
    }

    /// Waits until the hub holds `count` events of `type` (at most `seconds`).
    func waitForHub(_ hub: RunningHub, type: String, count: Int, seconds: Int = 20) async throws -> [HubEvent] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let events = try await hub.events().filter { $0.type == type }
            if events.count >= count || ContinuousClock.now > deadline { return events }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
