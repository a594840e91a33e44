import CounterSyncModels
import Foundation

/// A real `counter-hub` process on a free loopback port with its own data directory.
final class RunningHub: @unchecked Sendable {
    // Set up once in init; stopped and restarted only by the owning test.
    let data: String
    let port: Int
    var process: Process?
    let faults: [String]

    var url: String { "http://127.0.0.1:\(port)" }

    init(faults: [String] = []) async throws {
        data = "/tmp/cd-hub-\(UUID().uuidString.prefix(8))"
        port = try Self.freePort()
        self.faults = faults
        try await admin("shop", "create", "--id", "SHOP-1", "--name", "东门 East Gate")
        try await admin("campaign", "create", "--id", "COFFEE", "--title", "咖啡 Coffee", "--product", "Americano",
                        "--face-value", "18.00", "--shop-reward", "2.00", "--valid-days", "30")
        try await start()
    }

    /// Runs an admin subcommand on the data directory; fails the test on a non-zero exit.
    @discardableResult
    func admin(_ arguments: String...) async throws -> String {
        let result = try await run(Binaries.counterHub, arguments + ["--data", data])
        guard result.status == 0 else { throw HubCommandError(arguments: arguments, output: result.stderr + result.stdout) }
        return result.stdout
    }

    /// Issues tokens and returns them (token_id, code, signed_code).
    func issue(_ count: Int, campaign: String = "COFFEE") async throws -> [IssuedCode] {
        let output = try await admin("tokens", "issue", "--campaign", campaign, "--count", "\(count)", "--json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try output.split(separator: "\n").map { try decoder.decode(IssuedCode.self, from: Data($0.utf8)) }
    }

    func enrollmentCode() async throws -> String {
        try await admin("enroll-code", "--shop", "SHOP-1").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every event the hub received.
    func events() async throws -> [HubEvent] {
        let output = try await admin("redemptions", "--json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try output.split(separator: "\n").map { try decoder.decode(HubEvent.self, from: Data($0.utf8)) }
    }

    func start() async throws {
        let process = Process()
        process.executableURL = Binaries.counterHub
        process.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:\(port)"] + faults
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let result = try? await run(URL(fileURLWithPath: "/usr/bin/curl"), ["-sf", "\(url)/v1/time"], timeout: .seconds(5)),
               result.status == 0 {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TimeoutError(what: "counter-hub start")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: data)
    }

    /// A TCP port nobody listens on now (the kernel picks it for a socket bound to port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRINUSE) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct IssuedCode: Decodable {
    var tokenId: String
    var code: String
    var signedCode: String
}

struct HubEvent: Decodable {
    var id: String
    var type: String
    var deviceId: String
    var deviceSequence: Int64?
    var tokenId: String?
    var status: String
    var reason: String?
}

struct HubCommandError: Error, CustomStringConvertible {
    var arguments: [String]
    var output: String
    var description: String { "counter-hub \(arguments.joined(separator: " ")) failed: \(output)" }
}
