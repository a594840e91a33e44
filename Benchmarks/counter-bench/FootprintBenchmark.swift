import ArgumentParser
import CounterLedger
import CounterTestSupport
import Foundation
import GRDB

/// The footprint of a running counterd (issue 6): binary sizes, time from start to `READY=1`, resident
/// memory and CPU while idle, with an empty ledger as the baseline and with an N-token cache.
struct FootprintBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "footprint",
        abstract: "Binary sizes, start to READY=1, idle RSS and idle CPU of counterd, empty ledger vs. an N-token cache.")

    @Option(help: "Tokens in the cache of the measured counter.") var tokens = 1_000_000
    @Option(help: "Seconds to watch the idle daemon's CPU time.") var idleSeconds = 60
    @Option(help: "Where counterd, counterctl and counter-hub are (default: beside this benchmark).") var binDir: String?
    @Option(help: "Directory on the disk to measure.") var directory = "."

    func run() async throws {
        let bin = binDir ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
        let counterd = (bin as NSString).appendingPathComponent("counterd")
        let root = (directory as NSString).appendingPathComponent("counter-bench-footprint-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }

        var sizes: [String] = []
        for name in ["counterd", "counterctl", "counter-hub"] {
            let path = (bin as NSString).appendingPathComponent(name)
            let stripped = root + "/\(name).stripped"
            let strip = Process()
            strip.executableURL = URL(fileURLWithPath: "/usr/bin/strip")
            strip.arguments = ["--strip-unneeded", "-o", stripped, path]
            try? strip.run()
            strip.waitUntilExit()
            sizes.append("| \(name) | \(megabytes(path)) | \(megabytes(stripped)) |")
        }
        let exec = try await execBaseline(counterd)
        log("baseline: counterd with an empty ledger …")
        let empty = try await measureDaemon(counterd, root: root + "/empty", tokens: 0)
        log("counterd with \(tokens) tokens …")
        let full = try await measureDaemon(counterd, root: root + "/full", tokens: tokens)

        print("""
            Footprint of \(counterd), idle for \(idleSeconds) s, in \(root).

            | binary | size | stripped (as packaged) |
            |---|---|---|
            \(sizes.joined(separator: "\n"))

            | measurement | empty ledger (baseline) | \(tokens) tokens | ratio |
            |---|---|---|---|
            | start to READY=1 | \(format(empty.ready * 1000)) ms | \(format(full.ready * 1000)) ms | \(ratio(full.ready, empty.ready)) |
            | RSS at idle | \(empty.rssKB / 1024) MB | \(full.rssKB / 1024) MB | \(ratio(Double(full.rssKB), Double(empty.rssKB))) |
            | peak RSS (VmHWM) | \(empty.peakKB / 1024) MB | \(full.peakKB / 1024) MB | \(ratio(Double(full.peakKB), Double(empty.peakKB))) |
            | CPU while idle \(idleSeconds) s | \(format(empty.idleCPU)) s | \(format(full.idleCPU)) s | |
            | ledger file | \(empty.ledgerMB) MB | \(full.ledgerMB) MB | |

            Exec baseline: `counterd --version` starts and exits in \(format(exec * 1000)) ms \
            (READY=1 with \(tokens) tokens is \(ratio(full.ready, exec)) that).
            """)
    }

    struct Figures {
        var ready: Double
        var rssKB: Int
        var peakKB: Int
        var idleCPU: Double
        var ledgerMB: Int
    }

    /// Time to start and exit the binary without any work: exec, dynamic loading, argument parsing.
    func execBaseline(_ counterd: String) async throws -> Double {
        var best = Double.infinity
        for _ in 0..<5 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: counterd)
            process.arguments = ["--version"]
            process.standardOutput = FileHandle.nullDevice
            let start = ContinuousClock.now
            try process.run()
            process.waitUntilExit()
            best = min(best, seconds(ContinuousClock.now - start))
        }
        return best
    }

    func measureDaemon(_ counterd: String, root: String, tokens: Int) async throws -> Figures {
        let state = root + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try fillLedger(path: state + "/ledger.sqlite", tokens: tokens)
        let config = root + "/counterd.yaml"
        try """
            device:
              id: bench-counter
              shop: BENCH-SHOP
            state_directory: \(state)
            api:
              socket: \(root)/api.sock
            log:
              level: notice

            """.write(toFile: config, atomically: true, encoding: .utf8)

        let notify = try NotifySocket()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: counterd)
        process.arguments = ["run", "--config", config]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "30000000"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        defer { if process.isRunning { process.terminate(); process.waitUntilExit() } }
        var ready: Double?
        while ready == nil, let message = try await notify.receive(timeout: .seconds(120), interval: .milliseconds(1)) {
            if message.hasPrefix("READY=1") { ready = seconds(ContinuousClock.now - start) }
        }
        guard let ready else { throw ValidationError("counterd sent no READY=1 within 120 s") }
        try await Task.sleep(for: .seconds(2))
        let cpuBefore = try cpuSeconds(process.processIdentifier)
        try await Task.sleep(for: .seconds(idleSeconds))
        let cpu = try cpuSeconds(process.processIdentifier) - cpuBefore
        let memory = try memoryKB(process.processIdentifier)
        process.terminate()
        process.waitUntilExit()
        let ledgerBytes = (try? FileManager.default.attributesOfItem(atPath: state + "/ledger.sqlite")[.size] as? Int) ?? 0
        return Figures(ready: ready, rssKB: memory.rss, peakKB: memory.peak, idleCPU: cpu, ledgerMB: ledgerBytes / 1_048_576)
    }

    /// A ledger for the benchmark counter with `tokens` cached tokens, written fast (the daemon later opens it as usual).
    func fillLedger(path: String, tokens: Int) throws {
        let ledger = try Ledger(path: path, identity: DeviceIdentity(deviceID: "bench-counter", shopID: "BENCH-SHOP"))
        ledger.close()
        guard tokens > 0 else { return }
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = OFF")
            try insertTokenRows(db, count: tokens, batch: 50_000, code: benchmarkCode) { written in
                if written % 200_000 == 0 { log("  \(written) tokens written") }
            }
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// User plus system CPU time of a process so far (`/proc/PID/stat` fields 14 and 15).
    func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name may hold spaces; the fields after it are plain.
        guard let close = stat.lastIndex(of: ")") else { throw ValidationError("unreadable /proc/\(pid)/stat") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw ValidationError("unreadable /proc/\(pid)/stat")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// VmRSS and VmHWM of a process, in KB.
    func memoryKB(_ pid: Int32) throws -> (rss: Int, peak: Int) {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        func value(_ key: String) -> Int {
            let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return (value("VmRSS"), value("VmHWM"))
    }

    func megabytes(_ path: String) -> String {
        guard let bytes = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int else { return "n/a" }
        return String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    func format(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.0f", value) }
    func ratio(_ value: Double, _ baseline: Double) -> String { String(format: "%.2f×", value / baseline) }
}
