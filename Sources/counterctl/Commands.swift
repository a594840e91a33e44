import ArgumentParser
import CounterAPIModels
import CounterClient
import CounterSyncModels
import Foundation

extension Counterctl {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the counter's identity, ledger and scanners.")
        @OptionGroup var options: ConnectionOptions

        func run() async throws {
            let status = try await perform { try await options.client.status() }
            if options.json { return try printJSON(status) }
            print(TextFormat.status(status))
        }
    }

    struct Redeem: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify and redeem a code (use - to read it from standard input).")
        @Argument(help: "The code as printed or scanned.") var code: String
        @Option(help: "Uses to take at once, for multi-use cards (1-100).") var uses: Int = 1
        @OptionGroup var options: ConnectionOptions

        func validate() throws {
            guard (1...100).contains(uses) else { throw ValidationError("--uses must be from 1 to 100") }
        }

        func run() async throws {
            let code = try readCode(code)
            let verdict = try await perform { try await options.client.redeem(code, uses: uses) }
            try report(verdict, json: options.json, timeZone: try? await options.client.status().timeZone)
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify a code without redeeming it.")
        @Argument(help: "The code as printed or scanned.") var code: String
        @Option(help: "Uses that would be taken (1-100).") var uses: Int = 1
        @OptionGroup var options: ConnectionOptions

        func validate() throws {
            guard (1...100).contains(uses) else { throw ValidationError("--uses must be from 1 to 100") }
        }

        func run() async throws {
            let code = try readCode(code)
            let verdict = try await perform { try await options.client.check(code, uses: uses) }
            try report(verdict, json: options.json, timeZone: try? await options.client.status().timeZone)
        }
    }

    struct VoidRedemption: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "void", abstract: "Void a redemption made on this counter inside the void window.")
        @Argument(help: "The redemption id (from the verdict or `counterctl history`).") var redemptionID: String
        @Option(help: "Why it is voided.") var reason: String?
        @OptionGroup var options: ConnectionOptions

        func validate() throws {
            guard UUID(uuidString: redemptionID) != nil else {
                throw ValidationError("REDEMPTION_ID must be a UUID such as 0192f0c1-2a3b-7c4d-8e5f-0123456789ab")
            }
        }

        func run() async throws {
            let outcome = try await perform { try await options.client.void(redemptionID, reason: reason) }
            if options.json {
                try printJSON(outcome)
            } else {
                print(TextFormat.void(outcome))
            }
            if !outcome.isVoided { throw CounterctlExit.rejected }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recent redemptions, newest first.")
        @Option(help: "How many to show (1-1000).") var limit: Int = 20
        @OptionGroup var options: ConnectionOptions

        func validate() throws {
            guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
        }

        func run() async throws {
            let history = try await perform { try await options.client.history(limit: limit) }
            if options.json { return try printJSON(history) }
            let zone = (try? await options.client.status().timeZone).flatMap(TimeZone.init(identifier:)) ?? .current
            print(TextFormat.history(history, timeZone: zone))
        }
    }
}

extension Counterctl {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the feed and upload queued events now, and report what happened.")
        @OptionGroup var options: ConnectionOptions

        func run() async throws {
            let client = options.client
            let json = options.json
            let terminal = isatty(STDOUT_FILENO) == 1
            let report = try await perform {
                try await client.sync { line in
                    if json {
                        try? printJSON(line)
                    } else if terminal, let download = line.download {
                        // One line, rewritten in place: the feed has no total, so it counts up.
                        let bar = String(repeating: "█", count: min(30, max(0, download.pages % 31)))
                        FileHandle.standardOutput.write(Data("\r\u{1B}[Kdownload \(bar) \(download.pages) page(s), \(download.tokens) token(s)".utf8))
                    }
                }
            }
            if !json {
                if terminal { print("") }
                print(TextFormat.sync(report))
            }
            if !report.succeeded { throw CounterctlExit.rejected }
        }
    }
}

/// Prints a verdict and sets the exit status: 0 accepted, 1 rejected.
func report(_ verdict: VerdictResponse, json: Bool, timeZone: String?) throws {
    if json {
        try printJSON(verdict)
    } else {
        let zone = timeZone.flatMap(TimeZone.init(identifier:)) ?? .current
        print(TextFormat.verdict(verdict, timeZone: zone))
    }
    if !verdict.isAccepted { throw CounterctlExit.rejected }
}
