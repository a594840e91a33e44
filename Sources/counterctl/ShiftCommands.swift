import ArgumentParser
import CounterAPIModels
import CounterClient
import CounterCore
import Foundation

extension Counterctl {
    /// `counterctl training on|off`: training mode (练习模式).
    struct Training: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn training mode (练习模式) on or off: only practice codes redeem, receipts say 练习 TRAINING, nothing counts.",
            discussion: "While the shop has staff this is a 店长 (manager)'s: name one with --staff.")
        @Argument(help: "on or off.") var mode: String
        @OptionGroup var options: ConnectionOptions

        func validate() throws {
            guard ["on", "off"].contains(mode) else { throw ValidationError("say on or off") }
        }

        func run() async throws {
            let answer = try await perform { try await options.client.setTraining(mode == "on") }
            if options.json { return try printJSON(answer) }
            print(answer.training ? "练习模式 training mode is on: only practice codes redeem" : "training mode is off")
        }
    }

    /// `counterctl shift`: the shift (交班) and its X and Z reports.
    struct Shift: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open a shift, see its X report, close it (Z report), print its 交班单.",
            discussion: "While the shop has staff these are a 店长 (manager)'s: name one with --staff.",
            subcommands: [Open.self, Report.self, Close.self, Print.self])

        struct Open: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Open a shift (one at a time).")
            @OptionGroup var options: ConnectionOptions

            func run() async throws {
                let report = try await perform { try await options.client.openShift() }
                if options.json { return try printJSON(report) }
                print("shift \(report.shiftId) opened at \(RFC3339.string(report.openedAt))")
            }
        }

        struct Report: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "The open shift's X report, and the last closed shift's Z report with its 对账.")
            @OptionGroup var options: ConnectionOptions

            func run() async throws {
                let status = try await perform { try await options.client.shift() }
                if options.json { return try printJSON(status) }
                let zone = (try? await options.client.status().timeZone).flatMap(TimeZone.init(identifier:)) ?? .current
                if let current = status.current {
                    print(TextFormat.shift(current, timeZone: zone))
                } else {
                    print("no shift is open (counterctl shift open)")
                }
                if let last = status.lastClosed {
                    print("")
                    print(TextFormat.shift(last, timeZone: zone))
                }
            }
        }

        struct Close: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Close the open shift: its Z report, printed, and queued for the hub's 对账.")
            @Flag(help: "Do not print the 交班单.") var noPrint = false
            @OptionGroup var options: ConnectionOptions

            func run() async throws {
                let answer = try await perform { try await options.client.closeShift(print: noPrint ? false : nil) }
                if options.json { return try printJSON(answer) }
                let zone = (try? await options.client.status().timeZone).flatMap(TimeZone.init(identifier:)) ?? .current
                print(TextFormat.shift(answer.report, timeZone: zone))
                if let problem = answer.printProblem { print("交班单 not printed: \(problem)") }
            }
        }

        struct Print: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the open shift's X report (or the last Z report) as a 交班单.")
            @OptionGroup var options: ConnectionOptions

            func run() async throws {
                let answer = try await perform { try await options.client.printShift() }
                if options.json { return try printJSON(answer) }
                if let job = answer.printed {
                    print("交班单 sent to \(job.printer) (job \(job.jobId))")
                } else {
                    print("交班单 not printed: \(answer.printProblem ?? "unknown")")
                    throw CounterctlExit.rejected
                }
            }
        }
    }
}
