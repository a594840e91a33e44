import ArgumentParser
import CounterAPIModels
import CounterClient
import CounterCore
import Foundation

extension Counterctl {
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow verdicts and scanner attach/detach as they happen (Ctrl-C to stop).",
            discussion: """
                One line per event: a verdict (accepted or rejected, why, and which scanner or client the code \
                came from) or a scanner that attached, detached or failed. Handy while plugging a scanner in and \
                scanning test codes. With --json each line is {"event":"verdict"|"device","data":{…}}, the data \
                as GET /api/v1/events sends it (docs/local-api.md). Exit status 0 after --count events or when \
                counterd stops, 1 when --timeout passes first.
                """)
        @Option(help: "Stop after this many events.") var count: Int?
        @Option(help: "Stop after this many seconds (exit status 1 if --count was not reached).") var timeout: Double?
        @OptionGroup var options: ConnectionOptions

        func validate() throws {
            if let count, count < 1 { throw ValidationError("--count must be at least 1") }
            if let timeout, !(timeout > 0 && timeout <= 31_536_000) {
                throw ValidationError("--timeout must be more than 0 seconds and at most a year")
            }
        }

        func run() async throws {
            let json = options.json, wanted = count, client = options.client, timeout = timeout
            let reached = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    var seen = 0
                    try await perform {
                        try await client.followEvents { event in
                            let line = json ? String(decoding: try WireJSON.encoder().encode(event), as: UTF8.self)
                                : TextFormat.event(event, timeZone: .current)
                            FileHandle.standardOutput.write(Data((line + "\n").utf8))  // unbuffered: a pipe sees each at once
                            seen += 1
                            return wanted.map { seen < $0 } ?? true
                        }
                    }
                    return true  // --count reached, or counterd stopped
                }
                if let timeout {
                    group.addTask {
                        try await Task.sleep(for: .seconds(timeout))
                        return false
                    }
                }
                let first = try await group.next() ?? true
                group.cancelAll()
                return first
            }
            if !reached, wanted != nil { throw CounterctlExit.rejected }
        }
    }
}

extension TextFormat {
    static func event(_ event: CounterEvent, timeZone: TimeZone) -> String {
        let time = ShopTimeFormatter(timeZone: timeZone)
        switch event {
        case .verdict(let message):
            let verdict = message.verdict
            let what = verdict.isAccepted ? "✔ ACCEPTED 通过" : "✘ REJECTED 拒绝 [\(verdict.reason)]"
            let code = verdict.codeLast4.map { " …\($0)" } ?? ""
            return "\(time.string(message.at)) \(message.source): \(what)\(code) · \(verdict.message.en)"
        case .device(let message):
            let detail = message.message.map { " · \($0)" } ?? ""
            return "\(time.string(message.at)) \(message.source): scanner \(message.kind) (\(message.device))\(detail)"
        }
    }
}
