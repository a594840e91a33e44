import CounterCore
import Foundation
import GRDB

/// The counter's durable record: the synced cache, redemptions, voids, rejections and the outbox,
/// in one SQLite file with one writer.
///
/// Production opens a `DatabasePool` (WAL, `synchronous=FULL`); tests may pass any `DatabaseWriter`.
/// Every method that changes state runs in one transaction.
public final class Ledger: Sendable {
    let writer: any DatabaseWriter
    /// Who this counter is; fixed when the ledger is first opened.
    public let identity: DeviceIdentity
    /// How many rejected scans per source are recorded (the rest get their verdict, unrecorded).
    public let rejectionBudget = RejectionBudget()

    /// Opens (creating if needed) the ledger file at `path` and migrates it.
    /// - Throws: ``LedgerError`` when the file belongs to another device, or a GRDB error.
    public convenience init(path: String, identity: DeviceIdentity) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets synchronous=NORMAL for WAL; a redemption must survive power loss once acknowledged.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try self.init(writer: pool, identity: identity)
    }

    /// Wraps an open database writer and migrates it.
    public init(writer: any DatabaseWriter, identity: DeviceIdentity) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
        self.identity = try writer.write { db in
            if let state = try DeviceStateRecord.fetchOne(db) {
                guard state.deviceId == identity.deviceID, state.shopId == identity.shopID else {
                    throw LedgerError.identityMismatch(stored: DeviceIdentity(deviceID: state.deviceId, shopID: state.shopId),
                                                       configured: identity)
                }
            } else {
                try DeviceStateRecord(deviceId: identity.deviceID, shopId: identity.shopID,
                                      lastSequence: 0, serverWatermark: 0).insert(db)
            }
            return identity
        }
    }

    /// Closes the database connections (for tools that hand the file to another connection).
    public func close() {
        try? (writer as? DatabasePool)?.close()
    }

    /// The SQLite `synchronous` setting of the writer connection (2 = FULL).
    public func synchronousMode() throws -> Int {
        try writer.writeWithoutTransaction { try Int.fetchOne($0, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The journal mode of the database file (`wal` in production).
    public func journalMode() throws -> String {
        try writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// The rows of SQLite's `PRAGMA quick_check`: `["ok"]` for a sound file, else one line per problem
    /// (damage so bad that the check itself stops is one line too).
    public func quickCheck() async throws -> [String] {
        do {
            return try await writer.read { try String.fetchAll($0, sql: "PRAGMA quick_check") }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            return [error.message ?? "database disk image is malformed"]
        }
    }
}

/// Who a counter is: its device id and the shop it serves.
public struct DeviceIdentity: Hashable, Sendable {
    public var deviceID: String
    public var shopID: String

    public init(deviceID: String, shopID: String) {
        self.deviceID = deviceID
        self.shopID = shopID
    }
}

/// Errors of the ledger that callers are expected to explain to a person.
public enum LedgerError: Error, CustomStringConvertible, Equatable {
    /// The database file was created for another device or shop.
    case identityMismatch(stored: DeviceIdentity, configured: DeviceIdentity)

    public var description: String {
        switch self {
        case let .identityMismatch(stored, configured):
            return "the ledger belongs to device \(stored.deviceID) of shop \(stored.shopID), "
                + "but the configuration says device \(configured.deviceID) of shop \(configured.shopID); "
                + "point the state directory elsewhere or fix device.id / device.shop"
        }
    }
}
