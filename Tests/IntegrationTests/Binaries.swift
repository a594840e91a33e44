import Foundation

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

/// Runs a binary with arguments, waiting at most `timeout` for it to end.
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
    // Drain both pipes while the process runs, so a large output never blocks it.
    let stdoutBuffer = LogBuffer(), stderrBuffer = LogBuffer()
    out.fileHandleForReading.readabilityHandler = { stdoutBuffer.append(String(decoding: $0.availableData, as: UTF8.self)) }
    err.fileHandleForReading.readabilityHandler = { stderrBuffer.append(String(decoding: $0.availableData, as: UTF8.self)) }
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
    out.fileHandleForReading.readabilityHandler = nil
    err.fileHandleForReading.readabilityHandler = nil
    let stdout = stdoutBuffer.text + String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = stderrBuffer.text + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}
