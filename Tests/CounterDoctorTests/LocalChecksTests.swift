import CounterAPIModels
@testable import CounterDoctor
import Foundation
import Testing

/// counterctl's own checks against a scratch root (etc/passwd, etc/group, the unit file, proc/PID/comm).
@Suite struct LocalChecksTests {
    let root = NSTemporaryDirectory() + "doctor-root-\(UUID().uuidString)"

    func write(_ relative: String, _ text: String) throws {
        let path = (root as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func check(_ id: String, _ facts: LocalChecks.Facts) -> DoctorCheck {
        LocalChecks.evaluate(facts).first { $0.id == id }!
    }

    @Test func anInstalledMachineWithItsUserPasses() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("usr/lib/systemd/system/counterd.service", "[Service]\n")
        try write("etc/passwd", "root:x:0:0::/root:/bin/bash\ncounterd:x:999:999::/var/lib/counterd:/usr/sbin/nologin\n")
        try write("etc/group", "root:x:0:\ncounterd:x:999:\n")
        try write("proc/1/comm", "systemd\n")
        let facts = LocalChecks.gather(socketPath: root + "/none.sock", root: root)
        #expect(facts.serviceInstalled)
        #expect(check("service_user", facts).outcome == .ok)
        #expect(check("modemmanager", facts).outcome == .ok)
        let daemon = check("daemon", facts)
        #expect(daemon.outcome == .problem)
        #expect(daemon.fix?.hasPrefix("sudo systemctl start counterd") == true)
        #expect(check("socket_access", facts).outcome == .skipped)
    }

    @Test func missingServiceUserAndRunningModemManager() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try write("lib/systemd/system/counterd.service", "[Service]\n")
        try write("etc/passwd", "root:x:0:0::/root:/bin/bash\ncounterdx:x:5:5::/:/bin/sh\n")
        try write("etc/group", "counterd:x:999:\n")
        try write("proc/812/comm", "ModemManager\n")
        let facts = LocalChecks.gather(socketPath: root + "/none.sock", root: root)
        let user = check("service_user", facts)
        #expect(user.outcome == .problem)
        #expect(user.summary.contains("user does not exist"), "a name that only starts with counterd is not it")
        #expect(user.fix?.contains("systemd-sysusers") == true)
        let modem = check("modemmanager", facts)
        #expect(modem.outcome == .warning)
        #expect(modem.fix == "sudo systemctl disable --now ModemManager")
    }

    @Test func withoutTheServiceTheDaemonFixIsToStartItByHand() {
        let facts = LocalChecks.Facts(socketPath: "/tmp/x.sock", socketProblem: "Connection refused", serviceInstalled: false,
                                      serviceUserExists: false, serviceGroupExists: false, modemManagerRunning: false)
        #expect(check("daemon", facts).fix?.contains("counterd run --config") == true)
        #expect(check("service_user", facts).outcome == .skipped)
    }

    @Test func aSocketThisUserMayNotOpenNamesTheGroupFix() {
        let facts = LocalChecks.Facts(socketPath: "/run/counterd/counterd.sock", socketProblem: "Permission denied",
                                      serviceInstalled: true, serviceUserExists: true, serviceGroupExists: true,
                                      modemManagerRunning: false)
        #expect(check("daemon", facts).outcome == .skipped)
        let access = check("socket_access", facts)
        #expect(access.outcome == .problem)
        #expect(access.fix?.hasPrefix("sudo usermod -aG counterd $USER") == true)
    }

    @Test func aRealSocketThatAnswersIsOK() throws {
        let path = NSTemporaryDirectory() + "doctor-\(UUID().uuidString.prefix(8)).sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd); unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(fd, 1) == 0)
        let facts = LocalChecks.gather(socketPath: path, root: "/nonexistent")
        #expect(facts.daemonAnswers)
        #expect(check("daemon", facts).outcome == .ok)
    }

    @Test func theReportCountsAndPrintsFixesOnlyForWarningsAndProblems() {
        let report = DoctorReport.combine(local: [DoctorCheck("daemon", .problem, "counterd does not answer", fix: "start it")],
                                          daemon: nil)
        #expect(report.problems == 1)
        #expect(report.checks.count == 1 + LocalChecks.daemonCheckIDs.count)
        #expect(report.checks.dropFirst().allSatisfy { $0.outcome == .skipped })
        let text = report.text
        #expect(text.contains("PROBLEM daemon"))
        #expect(text.contains("FIX: start it"))
        #expect(text.hasSuffix("1 problem(s), 0 warning(s)"))
        let fine = DoctorReport(checks: [DoctorCheck("disk", .ok, "plenty", fix: "never shown")])
        #expect(!fine.text.contains("never shown"))
        #expect(fine.text.hasSuffix("all checks passed"))
    }
}
