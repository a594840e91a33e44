import CounterSync
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One `counter-hub serve` process of the fleet benchmark: started, measured through /proc, killed and restarted.
final class FleetHubProcess: @unchecked Sendable {
    let port: Int
    let storeArguments: [String]
    private(set) var process: Process

    init(storeArguments: [String], port: Int) {
        self.storeArguments = storeArguments
        self.port = port
        process = Process()
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var pid: Int32 { process.processIdentifier }

    /// Starts the process (enrollment unthrottled: ten thousand counters enroll at once) and waits until it answers.
    func start() async throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("counter-hub")
        process.arguments = ["serve"] + storeArguments + ["--listen", "127.0.0.1:\(port)",
                                                          "--enroll-rate", "1000000", "--enroll-global-rate", "1000000"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 {
            if (try? await HubClient(baseURL: url, token: nil).time()) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("counter-hub on port \(port) did not answer within 30 s")
    }

    /// SIGKILL, as a crash or an OOM kill would: no graceful shutdown.
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL when the hub has not exited after `grace` (a hub must not hang on shutdown; the
    /// benchmark reports one that does).
    @discardableResult
    func stop(grace: Duration = .seconds(30)) -> Bool {
        guard process.isRunning else { return true }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline { usleep(50_000) }
        guard process.isRunning else { return true }
        log("counter-hub on port \(port) did not exit within \(grace) of SIGTERM; killing it")
        kill()
        return false
    }
}

/// Facts about processes read from /proc.
enum ProcessFacts {
    /// User plus system CPU seconds a process has used.
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident set size in MiB.
    static func rssMiB(_ pid: Int32) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib / 1024
    }

    /// CPU seconds of every process with this command name (the PostgreSQL server and its backends).
    static func cpuSeconds(command: String) -> Double {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap(Int32.init) ?? []
        return pids.reduce(0) { total, pid in
            let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            return name == command ? total + cpuSeconds(pid) : total
        }
    }

    /// Raises this process's open-files limit (inherited by the hubs it starts) as far as the system allows:
    /// each simulated counter holds two connections, and the hub the other end of each.
    static func raiseOpenFilesLimit(to wanted: rlim_t) -> rlim_t {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        var raised = rlimit(rlim_cur: wanted, rlim_max: max(wanted, limit.rlim_max))
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) != 0 {
            raised = rlimit(rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised)
        }
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return limit.rlim_cur
    }
}

/// A benchmark that cannot go on.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command and returns its standard output.
@discardableResult
func runCommand(_ executable: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw BenchError("\(executable) \(arguments.joined(separator: " ")) failed") }
    return String(decoding: output, as: UTF8.self)
}
