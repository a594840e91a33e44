import Foundation

/// A private `cupsd` for one test: its own configuration and spool in a temporary directory,
/// listening on a free loopback port (started by Tests/cups/start-cupsd.sh), with raw queues made by
/// the real `lpadmin`. It can be stopped and started again with its queues kept.
public final class PrivateCUPS: @unchecked Sendable {
    // Mutated only by the owning test, one call at a time.
    public let directory: String
    public let port: Int
    private var pid: Int32 = 0

    /// Whether cupsd and lpadmin are installed (the tests say how to install them when not).
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/sbin/cupsd")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/lpadmin")
    }

    /// `host:port` for CUPS clients.
    public var server: String { "127.0.0.1:\(port)" }

    public init() throws {
        directory = "/tmp/cups-test-\(UUID().uuidString.prefix(8))"
        port = Int(try CaptureListener.freePort())
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func start() throws {
        let output = try Self.run(Self.script, [directory, "\(port)"])
        guard output.status == 0, let pid = Int32(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SetupError(message: "cupsd did not start: \(output.stderr)")
        }
        self.pid = pid
    }

    /// Stops cupsd (SIGTERM) and waits until it has gone.
    public func stop() {
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        // cupsd is not our child (the start script's): wait until it is gone or a zombie.
        for _ in 0..<100 where Self.isRunning(pid) { usleep(50_000) }
        if Self.isRunning(pid) {
            kill(pid, SIGKILL)
            for _ in 0..<100 where Self.isRunning(pid) { usleep(20_000) }
        }
        pid = 0
    }

    private static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// Adds a raw queue (no filters) that sends jobs to 127.0.0.1:`port`.
    public func addRawQueue(_ name: String, port: UInt16, makeDefault: Bool = false) throws {
        var output = try Self.run("/usr/sbin/lpadmin", ["-h", server, "-p", name, "-E", "-v", "socket://127.0.0.1:\(port)"])
        guard output.status == 0 else { throw SetupError(message: "lpadmin failed: \(output.stderr)") }
        if makeDefault {
            output = try Self.run("/usr/sbin/lpadmin", ["-h", server, "-d", name])
            guard output.status == 0 else { throw SetupError(message: "lpadmin -d failed: \(output.stderr)") }
        }
    }

    /// The cupsd error log, for failure messages.
    public var log: String {
        (try? String(contentsOfFile: directory + "/log/error_log", encoding: .utf8)) ?? ""
    }

    public struct SetupError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("cups/start-cupsd.sh").path
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        // Files, not pipes: cupsd, started in the background, would inherit a pipe and keep it open.
        let base = NSTemporaryDirectory() + "cups-run-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        try process.run()
        process.waitUntilExit()
        let stdout = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout, stderr)
    }
}

extension CaptureListener {
    /// A port nobody listens on right now.
    public static func freePort() throws -> UInt16 {
        let listener = try CaptureListener()
        defer { listener.stop() }
        return listener.port
    }
}
