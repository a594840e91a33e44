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

/// Runs a binary with arguments, waiting at most `timeout` for it to end. Its output goes to files, read
/// once it has exited: pipes drained by handlers lost the last chunk now and then, and split UTF-8
/// characters between chunks (a Chinese message then broke the JSON).
func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
         timeout: Duration = .seconds(30)) async throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let outPath = folder.appendingPathComponent("stdout"), errPath = folder.appendingPathComponent("stderr")
    let inPath = folder.appendingPathComponent("stdin")
    try Data((stdin ?? "").utf8).write(to: inPath)
    for path in [outPath, errPath] { try Data().write(to: path) }
    let out = try FileHandle(forWritingTo: outPath), err = try FileHandle(forWritingTo: errPath)
    let input = try FileHandle(forReadingFrom: inPath)
    defer { try? out.close(); try? err.close(); try? input.close() }
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning {
        if ContinuousClock.now > deadline {
            process.terminate()
            throw TimeoutError(what: "\(executable.lastPathComponent) \(arguments.joined(separator: " "))")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
    let stdout = String(decoding: (try? Data(contentsOf: outPath)) ?? Data(), as: UTF8.self)
    let stderr = String(decoding: (try? Data(contentsOf: errPath)) ?? Data(), as: UTF8.self)
    return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}
