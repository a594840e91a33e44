import CounterCore
import Crypto
import Foundation
import GRDB
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// counter-hub's database: shops, campaigns, tokens, keys, devices, enrollment codes and received events,
/// in one SQLite file (`hub.sqlite` in the data directory, the default) or in PostgreSQL (any number of
/// hub processes). Admin commands open the same database while `serve` runs.
///
/// Every method is synchronous and may block on the database: `serve` calls them on a thread pool.
public final class HubStore: Sendable {
    let database: any HubDatabase

    /// Opens or creates the store in `directory` and makes sure a root key and a signing key exist.
    ///
    /// The database holds the root and signing private keys, so the directory is made mode 0700 and
    /// `hub.sqlite` with its `-wal` and `-shm` files 0600, whatever the umask and whoever created them.
    public convenience init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Self.restrict(directory, to: 0o700)
        let path = directory + "/hub.sqlite"
        // Create the file before SQLite does, so it never exists with the umask's mode. SQLite gives the
        // -wal and -shm files it creates the database file's mode.
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw HubError("io_error", "cannot create \(path): \(String(cString: strerror(errno)))") }
        close(descriptor)
        for file in [path, path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try Self.restrict(file, to: 0o600)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        try self.init(database: SQLiteHubDatabase(writer: DatabasePool(path: path, configuration: configuration)))
        for file in [path + "-wal", path + "-shm"] where FileManager.default.fileExists(atPath: file) {
            try Self.restrict(file, to: 0o600)
        }
    }

    /// Sets a file's permission bits, unless they are already `mode`.
    static func restrict(_ path: String, to mode: Int) throws {
        do {
            let current = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            guard current.map({ $0 & 0o7777 }) != mode else { return }
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        } catch {
            throw HubError("io_error", "cannot make \(path) mode \(String(mode, radix: 8)): \(error.localizedDescription)")
        }
    }

    /// Opens the store in a SQLite database GRDB already holds (an in-memory `DatabaseQueue` for fuzzing and
    /// benchmarks), creating or updating its tables.
    public convenience init(writer: any DatabaseWriter) throws {
        try self.init(database: SQLiteHubDatabase(writer: writer))
    }

    /// Opens the store in a PostgreSQL database (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`), creating
    /// or updating its tables, and makes sure a root key and a signing key exist.
    public convenience init(postgres url: String) throws {
        try self.init(database: PostgresHubDatabase(url: url))
    }

    /// Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a directory.
    public static func isPostgresURL(_ location: String) -> Bool {
        location.hasPrefix("postgres://") || location.hasPrefix("postgresql://")
    }

    /// Opens the store in `location`: a `postgres://` URL, or else a data directory.
    public convenience init(location: String) throws {
        if Self.isPostgresURL(location) {
            try self.init(postgres: location)
        } else {
            try self.init(directory: location)
        }
    }

    /// The threads `serve` runs store calls on: a call may block on the database, and must block neither an
    /// event loop nor one of Swift's few cooperative threads. As many as PostgreSQL connections a process uses.
    static let blockingPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    /// Runs a store call on ``blockingPool`` and waits for it without blocking the caller's thread.
    public func blocking<T: Sendable>(_ body: @escaping @Sendable (HubStore) throws -> T) async throws -> T {
        try await Self.blockingPool.runIfActive { try body(self) }
    }

    init(database: any HubDatabase) throws {
        self.database = database
        try database.write { sql in
            // Several hub processes may start at once: one of them makes the keys.
            if sql.dialect == .postgres { try sql.execute("SELECT pg_advisory_xact_lock(72390017)") }
            try Self.ensureKeys(sql, now: Date())
            try Self.raisePositionToClock(sql, now: Date())
        }
    }
}

/// A problem with an admin request or a device request, with a stable code.
public struct HubError: Error, CustomStringConvertible, Equatable {
    public let code: String
    public let message: String

    public init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
