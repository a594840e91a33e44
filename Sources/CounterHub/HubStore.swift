import CounterCore
import Crypto
import Foundation
import GRDB

/// counter-hub's database: shops, campaigns, tokens, keys, devices, enrollment codes and received events,
/// in one SQLite file (`hub.sqlite` in the data directory). Admin commands open the same file while
/// `serve` runs (WAL, busy timeout).
public final class HubStore: Sendable {
    let writer: any DatabaseWriter

    /// Opens or creates the store in `directory` and makes sure a root key and a signing key exist.
    public convenience init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        try self.init(writer: DatabasePool(path: directory + "/hub.sqlite", configuration: configuration))
    }

    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
        try writer.write { db in try Self.ensureKeys(db, now: Date()) }
    }

    /// Takes the next change position (global, so it never decreases for any shop).
    static func nextPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(
            sql: "UPDATE hub_state SET position = position + 1 WHERE id = 1 RETURNING position")) ?? 0
    }

    static func currentPosition(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT position FROM hub_state WHERE id = 1") ?? 0
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
