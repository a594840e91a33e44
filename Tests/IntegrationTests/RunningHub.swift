import CounterSyncModels
import Foundation

/// A real `counter-hub` process on a free loopback port with its own data directory, or, when
/// `COUNTER_HUB_TEST_POSTGRES` names a PostgreSQL server (scripts/test.sh sets it in its PostgreSQL stage), its own
/// database there.
final class RunningHub: @unchecked Sendable {
    // Set up once in init; stopped and restarted only by the owning test.
    let data: String
    /// The hub's PostgreSQL database, when the tests run on PostgreSQL.
    let database: String?
    let port: Int
    var process: Process?
    let faults: [String]

    var url: String { "http://127.0.0.1:\(port)" }
    /// The storage option every counter-hub command of this hub takes.
    var storage: [String] { database.map { ["--database", $0] } ?? ["--data", data] }

    /// The PostgreSQL server the integration tests use, if any (a URL of its `postgres` database).
    static let postgresServer = ProcessInfo.processInfo.environment["COUNTER_HUB_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    init(faults: [String] = []) async throws {
        let name = "cd-hub-\(UUID().uuidString.prefix(8))"
        data = "/tmp/" + name
        port = try Self.freePort()
        self.faults = faults
        if let server = Self.postgresServer {
            let database = name.replacingOccurrences(of: "-", with: "_").lowercased()
            try await Self.psql(server, "CREATE DATABASE \(database)")
            self.database = Self.url(server, database: database)
        } else {
            database = nil
        }
        try await admin("shop", "create", "--id", "SHOP-1", "--name", "东门 East Gate")
        try await admin("campaign", "create", "--id", "COFFEE", "--title", "咖啡 Coffee", "--product", "Americano",
                        "--face-value", "18.00", "--shop-reward", "2.00", "--valid-days", "30")
        try await start()
    }

    /// Runs an admin subcommand on the data directory; fails the test on a non-zero exit.
    @discardableResult
    func admin(_ arguments: String...) async throws -> String {
        let result = try await run(Binaries.counterHub, arguments + storage)
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
        process.arguments = ["serve"] + storage + ["--listen", "127.0.0.1:\(port)"] + faults
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
        try? FileManager.default.removeItem(atPath: data + "-backup")
    }

    /// Backs the hub up while it runs: `pg_dump` of its database, or a copy of its data directory (taken with the
    /// hub stopped for the moment of the copy, then started again).
    func backup() async throws {
        if let database {
            try await Self.check(run(URL(fileURLWithPath: "/usr/bin/pg_dump"), ["--format=custom", "--file", data + "-backup", database]))
        } else {
            stop()
            try FileManager.default.copyItem(atPath: data, toPath: data + "-backup")
            try await start()
        }
    }

    /// Restores the stopped hub from ``backup()``: a new, empty database and `pg_restore`, or the copied directory.
    func restoreBackup() async throws {
        if let database, let server = Self.postgresServer {
            let name = String(database.split(separator: "?")[0].split(separator: "/").last ?? "")
            try await Self.psql(server, "DROP DATABASE \(name) WITH (FORCE)")
            try await Self.psql(server, "CREATE DATABASE \(name)")
            try await Self.check(run(URL(fileURLWithPath: "/usr/bin/pg_restore"), ["--no-owner", "--exit-on-error", "--dbname", database,
                                                                                 data + "-backup"]))
        } else {
            try FileManager.default.removeItem(atPath: data)
            try FileManager.default.copyItem(atPath: data + "-backup", toPath: data)
        }
    }

    /// Deletes this device's event of one sequence from the hub's storage: a hub that lost an event it had accepted.
    func forget(device: String, sequence: Int64) async throws {
        let statement = "DELETE FROM event WHERE device_id = '\(device)' AND device_sequence = \(sequence)"
        if let database {
            try await Self.psql(database, statement)
        } else {
            let script = "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute(sys.argv[2])\nc.commit()"
            try Self.check(await run(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, data + "/hub.sqlite", statement]))
        }
    }

    static func psql(_ server: String, _ command: String) async throws {
        try check(await run(URL(fileURLWithPath: "/usr/bin/psql"), ["-q", "-v", "ON_ERROR_STOP=1", server, "-c", command]))
    }

    static func check(_ result: CommandResult) throws {
        guard result.status == 0 else { throw HubCommandError(arguments: [], output: result.stderr + result.stdout) }
    }

    /// `server` with its database name replaced by `database` (the query, e.g. `?host=/socket/dir`, stays).
    static func url(_ server: String, database: String) -> String {
        var components = URLComponents(string: server)!
        components.path = "/" + database
        return components.string!
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
    var staffId: String?
}

struct HubCommandError: Error, CustomStringConvertible {
    var arguments: [String]
    var output: String
    var description: String { "counter-hub \(arguments.joined(separator: " ")) failed: \(output)" }
}
