import ArgumentParser
import CounterAPIModels
import CounterClient
import CounterDoctor
import Foundation

extension Counterctl {
    struct Doctor: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check everything counterd needs and print, for each problem, the command that fixes it.",
            discussion: """
                Checks: the daemon and its socket, enrollment, the hub, the clock, data age, disk space, the ledger \
                (PRAGMA quick_check), the upload queue and dead letters, CUPS and the printer queue, scanners and their \
                access, the udev rules, the service user and ModemManager (docs/install.md). \
                Exit status 0 when nothing is wrong (warnings allowed), 1 when a check found a problem.
                """)
        @OptionGroup var options: ConnectionOptions

        @Flag(help: "Trust the last sync instead of asking the hub now.")
        var noHubProbe = false

        @Option(help: ArgumentHelp("Look at the machine under this root instead of / (tests).", visibility: .hidden))
        var root = "/"

        func run() async throws {
            let client = options.client
            let local = LocalChecks.gather(socketPath: client.socketPath, root: root)
            var daemon: [DoctorCheck]?
            if local.daemonAnswers {
                do {
                    daemon = try await client.diagnostics(probeHub: !noHubProbe).checks
                } catch {
                    daemon = [DoctorCheck("diagnostics", .problem, "counterd answered but its checks failed: \(error)",
                                          fix: "journalctl -u counterd -e, then sudo systemctl restart counterd")]
                }
            }
            let report = DoctorReport.combine(local: LocalChecks.evaluate(local), daemon: daemon)
            if options.json { try printJSON(report) } else { print(report.text) }
            if report.problems > 0 { throw CounterctlExit.rejected }
        }
    }
}

extension Counterctl {
    struct Metrics: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print counterd's Prometheus metrics (the text of GET /metrics).")
        @OptionGroup var options: ConnectionOptions

        func run() async throws {
            print(try await perform { try await options.client.metricsText() }, terminator: "")
        }
    }
}
