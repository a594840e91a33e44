import CounterAPIModels
import CounterClient
import CounterTestSupport
import Foundation
import Synchronization

/// A real `counterd` process with a temporary state directory and configuration,
/// optional pty scanners, and a client on its socket.
final class RunningDaemon: @unchecked Sendable {
    // Set once in init; the process handle is only stopped from the owning test.
    let directory: String
    let socketPath: String
    private(set) var process = Process()
    let client: CounterClient
    let ptys: [PseudoTerminal]
    let configPath: String
    private var stderrPipe = Pipe()
    private let log = LogBuffer()

    /// Starts counterd with demo data and one serial scanner per name in `serialScanners`,
    /// or, with `hub`, enrolled with that hub (no demo data, no device section).
    /// The TCP listener's port, when started with `http: true`.
    private(set) var httpPort: Int?

    /// Extra environment for the counterd process (e.g. `NOTIFY_SOCKET`).
    private let environment: [String: String]

    /// - Parameter demo: without a hub, load demo data (`false`: a configured counter that is not enrolled).
    /// - Parameter hubURL: enroll through this URL instead of the hub's own (a proxy in front of it).
    /// - Parameter pollInterval: `hub.poll_interval` of an enrolled counter.
    /// - Parameter replacingHubSection: `extraYAML` brings its own `hub:` section for an enrolled counter.
    init(serialScanners: [String] = [], extraYAML: String = "", hub: RunningHub? = nil, hubURL: String? = nil, http: Bool = false,
         demo: Bool = true, environment: [String: String] = [:], pollInterval: String = "5s",
         replacingHubSection: Bool = false) async throws {
        self.environment = environment
        directory = "/tmp/cd-it-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/api.sock"
        ptys = try serialScanners.map { _ in try PseudoTerminal() }
        let port = http ? try RunningHub.freePort() : nil
        httpPort = port
        var yaml = hub == nil || replacingHubSection ? "" : """
            hub:
              poll_interval: \(pollInterval)

            """
        yaml += hub != nil ? "" : """
            device:
              id: it-counter
              shop: DEMO-SHOP
              time_zone: Asia/Shanghai
            demo: \(demo)

            """
        yaml += """
            state_directory: \(directory)/state
            api:
              socket: \(socketPath)
            \(port.map { "  http: 127.0.0.1:\($0)" } ?? "")
            log:
              level: debug
            scanners:

            """
        for (name, pty) in zip(serialScanners, ptys) {
            yaml += """
                  - name: \(name)
                    type: serial
                    path: \(pty.slavePath)
                    terminator: cr
                    inter_char_timeout: 200ms

                """
        }
        if serialScanners.isEmpty { yaml += "  []\n" }
        yaml += extraYAML
        let configPath = directory + "/counterd.yaml"
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        self.configPath = configPath
        if let hub {
            // The one-time code on standard input, as the docs tell technicians (never in the process list).
            let enrolled = try await run(Binaries.counterd, ["enroll", "--config", configPath, "--hub", hubURL ?? hub.url],
                                         stdin: try await hub.enrollmentCode() + "\n")
            guard enrolled.status == 0 else { throw StartError(log: enrolled.stderr) }
        }

        client = CounterClient(socketPath: socketPath, timeout: .seconds(30))
        try launch()
        try await waitUntilReady()
    }

    /// Starts the counterd process on the written configuration.
    private func launch() throws {
        process = Process()
        process.executableURL = Binaries.counterd
        process.arguments = ["run", "--config", configPath]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        stderrPipe = Pipe()
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let log = self.log
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            log.append(String(decoding: handle.availableData, as: UTF8.self))
        }
        try process.run()
    }

    /// Kills counterd without warning (SIGKILL), as a power cut would.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts counterd again on the same state directory.
    func restart() async throws {
        try launch()
        try await waitUntilReady()
    }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw StartError(log: stderr) }
            if (try? await CounterClient(socketPath: socketPath, timeout: .seconds(5)).status()) != nil {
                // Give serial sources a moment to open their ptys.
                if !ptys.isEmpty {
                    do {
                        try await waitForLog("scanner attached", count: ptys.count)
                    } catch {
                        throw StartError(log: "serial scanners not attached; log: " + stderr)
                    }
                }
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartError(log: stderr)
    }

    /// What counterd wrote to standard error so far.
    var stderr: String { log.text }

    /// Waits for `count` log lines with `text`: at most 30 s, since the whole suite shares 2 cores.
    func waitForLog(_ text: String, count: Int = 1) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while stderr.components(separatedBy: text).count - 1 < count {
            guard ContinuousClock.now < deadline else { throw TimeoutError(what: "log line \(text) ×\(count)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs counterctl against this daemon's socket.
    func ctl(_ arguments: String...) async throws -> CommandResult {
        try await run(Binaries.counterctl, arguments + ["--socket", socketPath])
    }

    /// Sends SIGTERM and returns the exit status (at most 15 s).
    /// - Parameter closingPtys: `false` keeps the scanners' ptys for a `restart()`. A closed pty's number is
    ///   soon another test's, and a restarted daemon would read that test's scans.
    func stop(closingPtys: Bool = true) async throws -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = ContinuousClock.now + .seconds(15)
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TimeoutError(what: "counterd graceful shutdown")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        if closingPtys { ptys.forEach { $0.close() } }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct StartError: Error, CustomStringConvertible {
        var log: String
        var description: String { "counterd did not start:\n\(log)" }
    }
}

/// Text collected from a pipe on another thread.
final class LogBuffer: Sendable {
    private let storage = Mutex("")
    func append(_ text: String) { storage.withLock { $0 += text } }
    var text: String { storage.withLock { $0 } }
}
