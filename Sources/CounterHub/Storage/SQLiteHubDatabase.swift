import Foundation
import GRDB

/// The embedded backend: one SQLite file in WAL mode (GRDB), for demos, tests and small installs. Admin
/// commands open the same file while `serve` runs; SQLite's lock and a busy timeout serialize the writers.
struct SQLiteHubDatabase: HubDatabase {
    let writer: any DatabaseWriter
    var dialect: SQLDialect { .sqlite }

    init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try HubStore.migrator.migrate(writer)
    }

    func read<T>(_ body: (any HubSQL) throws -> T) throws -> T {
        try writer.read { db in try body(Connection(db: db)) }
    }

    func write<T>(_ body: (any HubSQL) throws -> T) throws -> T {
        try writer.write { db in try body(Connection(db: db)) }
    }

    struct Connection: HubSQL {
        let db: Database
        var dialect: SQLDialect { .sqlite }

        /// Other processes on the file see the new position (``HubStore/watchPosition``).
        let feedChanges = FeedChangeRecord()

        @discardableResult
        func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
            try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
            return db.changesCount
        }

        func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [HubRow] {
            let statement = try db.cachedStatement(sql: sql)
            let names = statement.columnNames
            return try Row.fetchAll(statement, arguments: Self.arguments(arguments)).map { row in
                HubRow(names: names, values: row.databaseValues.map(Self.value))
            }
        }

        static func arguments(_ values: [any SQLBindable]) -> StatementArguments {
            StatementArguments(values.map { value -> DatabaseValue in
                switch value.sqlValue {
                case .null: return .null
                case .integer(let integer): return integer.databaseValue
                case .real(let real): return real.databaseValue
                case .text(let text): return text.databaseValue
                case .blob(let data): return data.databaseValue
                case .bool(let bool): return bool.databaseValue
                case .date(let date): return date.databaseValue
                }
            })
        }

        static func value(_ value: DatabaseValue) -> SQLValue {
            switch value.storage {
            case .null: return .null
            case .int64(let integer): return .integer(integer)
            case .double(let real): return .real(real)
            case .string(let text): return .text(text)
            case .blob(let data): return .blob(data)
            }
        }
    }
}
