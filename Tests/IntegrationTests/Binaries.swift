import Foundation
import Synchronization

/// Finds the built `counterd` and `counterctl` next to the test bundle (or in `$COUNTERD_BIN_DIR`).
enum Binaries {
    static let directory: URL = {
        if let explicit = ProcessInfo.processInfo.environment["COUNTERD_BIN_DIR"] {
            return URL(fileURLWithPath: explicit)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // Inside an .xctest bundle directory, step out of it.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "Contents"
            || directory.lastPathComponent == "MacOS" {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    static var counterd: URL { directory.appendingPathComponent("counterd") }
    static var counterctl: URL { directory.appendingPathComponent("counterctl") }
    static var counterHub: URL { directory.appendingPathComponent("counter-hub") }
}

/// The result of running a command to completion.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a binary with arguments, waiting at most `timeout` for it to end. Each output pipe is read to its
/// end on a thread of its own and decoded once, whole: reading by chunks in handlers lost the last chunk
/// now and then, and split UTF-8 characters between chunks (a Chinese message then broke the JSON).
func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
         timeout: Duration = .seconds(30)) async throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    let stdoutData = OutputCollector(out.fileHandleForReading), stderrData = OutputCollector(err.fileHandleForReading)
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline {
            process.terminate()
            throw TimeoutError(what: "\(executable.lastPathComponent) \(arguments.joined(separator: " "))")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    let stdout = String(decoding: await stdoutData.data(), as: UTF8.self)
    let stderr = String(decoding: await stderrData.data(), as: UTF8.self)
    return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

/// Reads a pipe to its end on a dispatch thread (blocking reads stay off the cooperative pool).
final class OutputCollector: Sendable {
    private let result = Mutex<Data?>(nil)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async { [self] in
            let data = handle.readDataToEndOfFile()
            result.withLock { $0 = data }
        }
    }

    /// Everything the pipe carried, once its writer has closed it.
    func data() async -> Data {
        while true {
            if let data = result.withLock({ $0 }) { return data }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}
