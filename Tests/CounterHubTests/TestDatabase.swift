import CounterHub
import CounterTestSupport
import Foundation
import GRDB

/// Where a hub test keeps its store: a new SQLite directory, or, when `COUNTER_HUB_TEST_POSTGRES` names a
/// PostgreSQL server (`postgres://USER@HOST:PORT/DATABASE`, as `scripts/test.sh` sets it for its PostgreSQL
/// stage), a new database on that server. The same tests then run against both backends.
enum TestDatabase {
    static let postgres = ProcessInfo.processInfo.environment["COUNTER_HUB_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }

    /// A new, empty store location: a directory, or the URL of a new database.
    static func location() throws -> String {
        guard let postgres else { return try TemporaryDirectory("counter-hub").path }
        let name = "hub_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(postgres, "CREATE DATABASE \(name)")
        return url(postgres, database: name)
    }

    /// A copy of the store at `location` as a backup would restore it: SQLite's online backup of the file, or
    /// pg_dump of the database into a new one.
    static func backup(of location: String) throws -> String {
        let copy = try self.location()
        if postgres != nil {
            try run("/bin/sh", ["-c", "pg_dump --no-owner \"$1\" | psql -q -v ON_ERROR_STOP=1 \"$2\" >/dev/null", "sh", location, copy])
        } else {
            try DatabaseQueue(path: location + "/hub.sqlite").backup(to: DatabaseQueue(path: copy + "/hub.sqlite"))
        }
        return copy
    }

    static func url(_ server: String, database: String) -> String {
        var components = URLComponents(string: server)!
        components.path = "/" + database
        return components.string!
    }

    static func psql(_ url: String, _ command: String) throws {
        try run("/usr/bin/psql", ["-q", "-v", "ON_ERROR_STOP=1", url, "-c", command])
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TestDatabaseError(description: "\(executable) \(arguments.dropLast().joined(separator: " ")) exited \(process.terminationStatus)")
        }
    }
}

struct TestDatabaseError: Error, CustomStringConvertible {
    let description: String
}
