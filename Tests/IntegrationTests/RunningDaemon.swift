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
    let process: Process
    let client: CounterClient
    let ptys: [PseudoTerminal]
    private let stderrPipe = Pipe()
    private let log = LogBuffer()

    /// Starts counterd with demo data and one serial scanner per name in `serialScanners`.
    init(serialScanners: [String] = [], extraYAML: String = "") async throws {
        directory = "/tmp/cd-it-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        socketPath = directory + "/api.sock"
        ptys = try serialScanners.map { _ in try PseudoTerminal() }
        var yaml = """
            device:
              id: it-counter
              shop: DEMO-SHOP
              time_zone: Asia/Shanghai
            state_directory: \(directory)/state
            api:
              socket: \(socketPath)
            demo: true
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

        process = Process()
        process.executableURL = Binaries.counterd
        process.arguments = ["run", "--config", configPath]
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        client = CounterClient(socketPath: socketPath, timeout: .seconds(10))
        let log = self.log
        stderrPipe.fileHandleForReading.readabilityHandler = { handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            log.append(text)
        }
        try process.run()
        try await waitUntilReady()
    }

    private func waitUntilReady() async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw StartError(log: stderr) }
            if (try? await client.status()) != nil {
                // Give serial sources a moment to open their ptys.
                if !ptys.isEmpty { try await waitForLog("scanner attached", count: ptys.count) }
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw StartError(log: stderr)
    }

    /// What counterd wrote to standard error so far.
    var stderr: String { log.text }

    /// Waits until `text` appears `count` times in the log (at most 10 s).
    func waitForLog(_ text: String, count: Int = 1) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
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
    func stop() async throws -> Int32 {
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
        ptys.forEach { $0.close() }
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
