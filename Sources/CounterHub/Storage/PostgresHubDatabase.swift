import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// The platform backend: PostgreSQL, shared by any number of hub processes (docs/hub-operations.md).
///
/// Its calls block the calling thread until PostgreSQL answers, like SQLite's: `serve` runs store calls on
/// a thread pool of its own, never on the event loops or Swift's cooperative threads.
///
/// Writes run at READ COMMITTED and take row locks (`FOR UPDATE`) where two transactions could otherwise
/// decide on the same stale read; a transaction that still hits a deadlock or a serialization failure is run
/// again from the start, up to 5 times.
final class PostgresHubDatabase: HubDatabase {
    let configuration: PostgresConnection.Configuration
    let pool: ConnectionPool
    let logger: Logger
    /// The longest the hub waits for PostgreSQL to connect or to answer one statement.
    let answerTimeout: TimeInterval
    var dialect: SQLDialect { .postgres }

    /// Connects to `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`) and
    /// brings the schema up to date.
    init(url: String, maximumConnections: Int = 16, answerTimeout: TimeInterval = 60,
         logger: Logger = Logger(label: "counter-hub.postgres")) throws {
        configuration = try Self.configuration(url)
        self.logger = logger
        self.answerTimeout = answerTimeout
        pool = ConnectionPool(maximum: maximumConnections)
        try migrate()
    }

    deinit { pool.closeAll() }

    /// The connection settings a URL gives; throws ``HubError`` `invalid_database` for anything else.
    static func configuration(_ url: String) throws -> PostgresConnection.Configuration {
        func invalid(_ why: String) -> HubError {
            HubError("invalid_database", "\(why): use postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        guard let components = URLComponents(string: url), let scheme = components.scheme,
              ["postgres", "postgresql"].contains(scheme.lowercased()) else { throw invalid("not a postgres:// URL") }
        guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
        guard let user = components.user, !user.isEmpty else { throw invalid("no user") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("no database name") }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw invalid("port out of range") }
        let tls: PostgresConnection.Configuration.TLS
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer" {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: throw invalid("sslmode must be disable, prefer or require")
        }
        return PostgresConnection.Configuration(host: host, port: port, username: user, password: components.password,
                                                database: database, tls: tls)
    }

    func read<T>(_ body: (any HubSQL) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    func write<T>(_ body: (any HubSQL) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL READ COMMITTED", body)
    }

    /// Runs `body` in one transaction on a pooled connection, again from the start after a deadlock or a
    /// serialization failure.
    private func transaction<T>(_ begin: String, _ body: (any HubSQL) throws -> T) throws -> T {
        var attempt = 1
        while true {
            let connection = try pool.acquire { try self.connect() }
            var reusable = true
            defer { pool.release(connection, reusable: reusable) }
            let sql = Connection(connection: connection, logger: logger, answerTimeout: answerTimeout)
            do {
                try sql.execute(begin)
                let result = try body(sql)
                if let scope = sql.feedChanges.scope, scope != .nobody {
                    // Delivered at commit, to every hub process listening (HubStore.listenForChanges).
                    try sql.execute("SELECT pg_notify(?, ?)", [HubStore.feedChannel, scope.payload])
                }
                try sql.execute("COMMIT")
                return result
            } catch {
                do { try sql.execute("ROLLBACK") } catch { reusable = false }
                if attempt < 5, Self.isTransient(error) {
                    attempt += 1
                    continue
                }
                throw Self.describe(error)
            }
        }
    }

    private func connect() throws -> PostgresConnection {
        do {
            let connecting = PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration,
                                                        id: Int.random(in: 0...Int.max), logger: logger)
            guard let connection = try connecting.wait(atMost: answerTimeout) else {
                // Should it still connect, nobody will use it.
                connecting.whenSuccess { let closing: EventLoopFuture<Void> = $0.close(); _ = closing }
                throw HubError("database_unavailable", "PostgreSQL at \(configuration.host ?? "?"):\(configuration.port ?? 5432) "
                               + "did not complete a connection within \(Int(answerTimeout)) s")
            }
            return connection
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError("database_unavailable", "cannot connect to PostgreSQL at \(configuration.host ?? "?"):"
                           + "\(configuration.port ?? 5432): \(Self.describe(error))")
        }
    }

    /// A deadlock, a serialization failure, or a unique key another transaction inserted meanwhile (the run again
    /// then sees the row): the transaction can simply run again.
    static func isTransient(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError, let state = error.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01" || state == "23505"
    }

    /// PostgreSQL's own message for a server error (PSQLError's description hides it); other errors as they are.
    static func describe(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError, let info = error.serverInfo else { return error }
        return HubError("database_error", "PostgreSQL: \(info[.message] ?? "error") (SQLSTATE \(info[.sqlState] ?? "?"))")
    }

    /// Creates or updates the schema, once even when several hub processes start together.
    private func migrate() throws {
        try write { sql in
            try sql.execute("SELECT pg_advisory_xact_lock(72390016)")
            try sql.execute("CREATE TABLE IF NOT EXISTS hub_migration (name TEXT PRIMARY KEY NOT NULL)")
            let done = Set(try sql.rows("SELECT name FROM hub_migration", []).map { try $0["name"] as String })
            for (name, statements) in PostgresSchema.migrations where !done.contains(name) {
                for statement in statements { try sql.execute(statement) }
                try sql.execute("INSERT INTO hub_migration (name) VALUES (?)", [name])
            }
        }
    }

    /// One transaction's statements on one connection.
    struct Connection: HubSQL {
        let connection: PostgresConnection
        let logger: Logger
        let answerTimeout: TimeInterval
        let feedChanges = FeedChangeRecord()
        var dialect: SQLDialect { .postgres }

        @discardableResult
        func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int {
            try run(sql, arguments).metadata.rows ?? 0
        }

        func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [HubRow] {
            try run(sql, arguments).rows.map { row in
                HubRow(names: row.map(\.columnName), values: try row.map(Self.value))
            }
        }

        private func run(_ sql: String, _ arguments: [any SQLBindable]) throws -> PostgresQueryResult {
            var binds = PostgresBindings(capacity: arguments.count)
            for argument in arguments {
                switch argument.sqlValue {
                case .null: binds.appendNull()
                case .integer(let integer): binds.append(integer)
                case .real(let real): binds.append(real)
                case .text(let text): binds.append(text)
                case .blob(let data): binds.append(ByteBuffer(bytes: data))
                case .bool(let bool): binds.append(bool)
                case .date(let date): binds.append(date)
                }
            }
            let query = connection.query(PostgresQuery(unsafeSQL: SQLPlaceholders.numbered(sql), binds: binds), logger: logger)
            guard let result = try query.wait(atMost: answerTimeout) else {
                // The connection is unusable from here on: closing it fails whatever else waits on it.
                let closing: EventLoopFuture<Void> = connection.close()
                _ = closing
                throw HubError("database_unavailable", "PostgreSQL did not answer within \(Int(answerTimeout)) s")
            }
            return result
        }

        static func value(_ cell: PostgresCell) throws -> SQLValue {
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
            case .float4, .float8: return .real(try cell.decode(Double.self))
            case .bool: return .bool(try cell.decode(Bool.self))
            case .timestamptz, .timestamp: return .date(try cell.decode(Date.self))
            case .bytea: return .blob(try cell.decode(Data.self))
            default: return .text(try cell.decode(String.self))
            }
        }
    }

    /// A few open connections, handed to one transaction at a time; at most `maximum` at once, the rest wait.
    final class ConnectionPool: Sendable {
        private let idle = NIOLockedValueBox<[PostgresConnection]>([])
        private let slots: DispatchSemaphore

        init(maximum: Int) {
            slots = DispatchSemaphore(value: max(1, maximum))
        }

        func acquire(connect: () throws -> PostgresConnection) throws -> PostgresConnection {
            slots.wait()
            if let connection = idle.withLockedValue({ $0.popLast() }), !connection.isClosed { return connection }
            do {
                return try connect()
            } catch {
                slots.signal()
                throw error
            }
        }

        func release(_ connection: PostgresConnection, reusable: Bool) {
            if reusable, !connection.isClosed {
                idle.withLockedValue { $0.append(connection) }
            } else {
                Self.close(connection)
            }
            slots.signal()
        }

        func closeAll() {
            for connection in idle.withLockedValue({ idle in defer { idle = [] }; return idle }) { Self.close(connection) }
        }

        /// Closes a connection and waits for it: PostgresNIO requires a connection to be closed before it is freed.
        static func close(_ connection: PostgresConnection) {
            let closing: EventLoopFuture<Void> = connection.close()
            _ = try? closing.wait(atMost: 10)
        }
    }
}
