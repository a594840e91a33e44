import CounterCore
import CounterAPIModels
import CounterTestSupport
import Foundation
import Testing

/// `counterctl doctor` against the real counterd: each misconfiguration is found and comes with its fix.
@Suite(.serialized) struct DoctorIntegrationTests {
    func report(_ result: CommandResult) throws -> DoctorReport {
        try WireJSON.decoder().decode(DoctorReport.self, from: Data(result.stdout.utf8))
    }

    func check(_ id: String, in report: DoctorReport) throws -> DoctorCheck {
        try #require(report.checks.first { $0.id == id }, "no check \(id)")
    }

    @Test func withoutTheDaemonDoctorSaysHowToStartItAndSkipsTheRest() async throws {
        let socket = "/tmp/doctor-none-\(UUID().uuidString.prefix(8)).sock"
        let json = try await run(Binaries.counterctl, ["doctor", "--json", "--socket", socket])
        #expect(json.status == 1)
        let doctor = try report(json)
        let daemon = try check("daemon", in: doctor)
        #expect(daemon.outcome == .problem)
        #expect(daemon.summary.contains(socket))
        #expect(daemon.fix != nil)
        #expect(doctor.checks.filter { $0.outcome == .skipped }.map(\.id).contains("database"))

        let text = try await run(Binaries.counterctl, ["doctor", "--socket", socket])
        #expect(text.status == 1)
        #expect(text.stdout.contains("PROBLEM daemon"))
        #expect(text.stdout.contains("FIX: "))
    }

    @Test(.enabled(if: PrivateCUPS.isInstalled, "needs cupsd (apt-get install cups)"))
    func aMisconfiguredCounterGetsEveryProblemNamedThenPassesOnceFixed() async throws {
        let cups = try PrivateCUPS()
        let rules = "/tmp/doctor-rules-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: rules) }
        let daemon = try await RunningDaemon(extraYAML: """
            printer:
              destination: receipt
              cups_server: \(cups.server)

            """, demo: false, environment: ["COUNTERD_UDEV_RULES_DIRS": rules])

        let broken = try await daemon.ctl("doctor", "--json")
        #expect(broken.status == 1, "\(broken.stdout) \(broken.stderr)")
        let before = try report(broken)
        #expect(try check("daemon", in: before).outcome == .ok)
        let enrolled = try check("enrolled", in: before)
        #expect(enrolled.outcome == .problem)
        #expect(enrolled.fix?.contains("counterd enroll") == true)
        #expect(try check("cups", in: before).outcome == .ok)
        let queue = try check("printer_queue", in: before)
        #expect(queue.outcome == .problem)
        #expect(queue.fix?.contains("sudo lpadmin -p receipt -E -v") == true)
        #expect(try check("scanners", in: before).outcome == .problem, "no scanner configured or attached")
        let udev = try check("udev_rules", in: before)
        #expect(udev.outcome >= .warning)
        #expect(udev.summary.contains(rules))
        #expect(try check("database", in: before).outcome == .ok)
        #expect(try check("disk", in: before).outcome == .ok)

        // The fixes doctor gave: the queue, and the rules from `counterd udev-rules`.
        let printer = try CaptureListener()
        try cups.addRawQueue("receipt", port: printer.port)
        let generated = try await run(Binaries.counterd, ["udev-rules"])
        try generated.stdout.write(toFile: rules + "/70-counterd-scanners.rules", atomically: true, encoding: .utf8)
        let after = try report(try await daemon.ctl("doctor", "--json"))
        let fixedQueue = try check("printer_queue", in: after), fixedRules = try check("udev_rules", in: after)
        #expect(fixedQueue.outcome == .ok, "\(fixedQueue)")
        #expect(fixedRules.outcome == .ok, "\(fixedRules)")
        #expect(try await daemon.stop() == 0)
    }

    @Test func aCUPSThatDoesNotAnswerIsNamed() async throws {
        let port = try RunningHub.freePort()
        let daemon = try await RunningDaemon(extraYAML: """
            printer:
              destination: receipt
              cups_server: 127.0.0.1:\(port)

            """)
        let doctor = try report(try await daemon.ctl("doctor", "--json"))
        let cups = try check("cups", in: doctor)
        #expect(cups.outcome == .problem)
        #expect(cups.fix?.contains("systemctl enable --now cups") == true)
        #expect(try check("printer_queue", in: doctor).outcome == .skipped)
        #expect(try check("enrolled", in: doctor).outcome == .ok, "the demo counter is not enrolled on purpose")
        #expect(try await daemon.stop() == 0)
    }

    @Test func anEnrolledCounterProbesTheHubAndNoticesWhenItIsGone() async throws {
        let hub = try await RunningHub()
        let daemon = try await RunningDaemon(hub: hub)
        #expect(try await daemon.ctl("sync").status == 0)
        let healthy = try report(try await daemon.ctl("doctor", "--json"))
        for id in ["enrolled", "hub", "clock", "data_age", "upload_queue", "dead_letters"] {
            let found = try check(id, in: healthy)
            #expect(found.outcome == .ok, "\(found)")
        }
        #expect(try check("hub", in: healthy).summary.contains("answered in"))
        // The device credential never reaches the log, not even at debug level.
        let credential = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: daemon.directory + "/state/credential.json"))) as? [String: Any]
        let token = try #require(credential?["deviceToken"] as? String ?? credential?["device_token"] as? String)
        #expect(token.count >= 16)
        #expect(!daemon.stderr.contains(token))

        hub.stop()
        let gone = try await daemon.ctl("doctor", "--json")
        #expect(gone.status == 1)
        let unreachable = try check("hub", in: try report(gone))
        #expect(unreachable.outcome == .problem)
        #expect(unreachable.summary.contains("cannot reach"))
        #expect(unreachable.fix?.contains("counterctl sync") == true)
        #expect(!daemon.stderr.contains(token), "nor in the errors of a failing sync")
        #expect(!gone.stdout.contains(token), "nor in doctor's report")
        #expect(try await daemon.stop() == 0)
    }
}
