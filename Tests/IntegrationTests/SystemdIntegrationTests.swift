import CounterTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// counterd as a `Type=notify` service: the datagrams it sends to `$NOTIFY_SOCKET`, and the unit file.
@Suite(.serialized) struct SystemdIntegrationTests {
    @Test func readyStatusWatchdogAndStoppingReachSystemd() async throws {
        let notify = try NotifySocket()
        let daemon = try await RunningDaemon(serialScanners: ["front"],
                                             environment: ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"])
        let ready = try #require(try await notify.receive(timeout: .seconds(30)))
        #expect(ready.hasPrefix("READY=1\nSTATUS="))
        #expect(ready.contains("upload queue 0") && ready.contains("not enrolled") && ready.contains("scanners 1 ready"))
        // Half the watchdog interval: a ping about every 0.5 s while the daemon lives.
        let ping = try #require(try await notify.receive(timeout: .seconds(10)))
        #expect(ping.hasPrefix("WATCHDOG=1"))
        #expect(try await daemon.stop() == 0)
        var last: String?
        while let message = try await notify.receive(timeout: .seconds(2)) { last = message }
        #expect(last == "STOPPING=1")
    }

    @Test func withoutNotifySocketTheDaemonRunsAsBefore() async throws {
        let daemon = try await RunningDaemon()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await daemon.ctl("status").status == 0, "still running")
        #expect(try await daemon.stop() == 0)
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theUnitIsHardenedToAnExposureOf2OrLowerAndVerifies() async throws {
        let unit = Self.repository.appendingPathComponent("systemd/counterd.service").path
        let security = try await run(URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["security", "--offline=true", unit])
        let line = try #require(security.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(Double(line.split(separator: ":").last?.split(separator: " ").first ?? ""))
        #expect(score <= 2.0, "\(line)")
        // verify needs ExecStart to exist: check a copy that runs the binary of this build.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("counterd.service")
        try String(contentsOfFile: unit, encoding: .utf8)
            .replacingOccurrences(of: "ExecStart=/usr/bin/counterd", with: "ExecStart=\(Binaries.counterd.path)")
            .write(to: copy, atomically: true, encoding: .utf8)
        let verify = try await run(URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["verify", copy.path])
        #expect(verify.status == 0 && verify.stderr.isEmpty && verify.stdout.isEmpty, "\(verify.stdout)\(verify.stderr)")
    }

    @Test func sysusersAndTmpfilesMakeTheUserAndItsDirectories() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sdroot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let sysusers = try await run(URL(fileURLWithPath: "/usr/bin/systemd-sysusers"),
                                     ["--root=\(root.path)", Self.repository.appendingPathComponent("systemd/counterd.sysusers").path])
        #expect(sysusers.status == 0, "\(sysusers.stderr)")
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        let entry = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("counterd:") })
        #expect(entry.hasSuffix(":/var/lib/counterd:/usr/sbin/nologin"), "a system user without a login shell")
        let uid = try #require(Int(entry.split(separator: ":")[2]))
        let tmpfiles = try await run(URL(fileURLWithPath: "/usr/bin/systemd-tmpfiles"),
                                     ["--root=\(root.path)", "--create", Self.repository.appendingPathComponent("systemd/counterd.tmpfiles").path])
        #expect(tmpfiles.status == 0, "\(tmpfiles.stderr)")
        for (path, mode, owner) in [("var/lib/counterd", 0o750, uid), ("run/counterd", 0o750, uid), ("etc/counterd", 0o755, 0)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            #expect((attributes[.posixPermissions] as? Int) == mode, "\(path)")
            #expect((attributes[.ownerAccountID] as? Int) == owner, "\(path)")
        }
    }
}
