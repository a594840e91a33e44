import Foundation
import NIOConcurrencyHelpers

/// The SQL the two backends disagree on; everything else is written once, in the subset both speak.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Whether the shop ids column (a JSON array as text) is empty (any shop) or holds the shop bound at `parameter`.
    func shopVisible(_ parameter: String) -> String {
        switch self {
        case .sqlite: "(shop_ids = '[]' OR EXISTS (SELECT 1 FROM json_each(shop_ids) WHERE value = \(parameter)))"
        case .postgres: "(shop_ids = '[]' OR shop_ids::jsonb @> jsonb_build_array(CAST(\(parameter) AS text)))"
        }
    }

    /// The order `counter-hub redemptions` lists events in: as received, a batch in request order.
    var receivedOrder: String {
        switch self {
        case .sqlite: "received_at, rowid"
        case .postgres: "received_at, device_id, device_sequence, id"
        }
    }

    /// Locks the rows a `SELECT` reads until the transaction ends (PostgreSQL); SQLite has one writer anyway.
    var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }
}

/// One transaction's statements. Arguments bind to `?` (in order) or `?N` (by number) in either dialect.
protocol HubSQL {
    var dialect: SQLDialect { get }

    /// Runs a statement; returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ arguments: [any SQLBindable]) throws -> Int

    /// Runs a query and returns every row.
    func rows(_ sql: String, _ arguments: [any SQLBindable]) throws -> [HubRow]

    /// Whose feeds the transaction changed so far: PostgreSQL tells other hub processes at commit (NOTIFY), and the
    /// caller may tell this process's live feed.
    var feedChanges: FeedChangeRecord { get }
}

/// Whose feeds one transaction changed, if any.
final class FeedChangeRecord: Sendable {
    private let record = NIOLockedValueBox<FeedChangeScope?>(nil)

    /// The transaction took a position for a change of `scope`'s feeds.
    func note(_ scope: FeedChangeScope) {
        record.withLockedValue { $0 = scope.merged(with: $0) }
    }

    var scope: FeedChangeScope? { record.withLockedValue { $0 } }
}

extension HubSQL {
    @discardableResult
    func execute(_ sql: String) throws -> Int { try execute(sql, []) }

    /// The first row, if any.
    func row(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> HubRow? {
        try rows(sql, arguments).first
    }

    /// The first column of the first row, or `nil` when there is no row or the value is NULL.
    func value<T: SQLReadable>(_ type: T.Type, _ sql: String, _ arguments: [any SQLBindable] = []) throws -> T? {
        guard let row = try rows(sql, arguments).first, let value = row.values.first, value != .null else { return nil }
        return try T.read(value)
    }
}

/// counter-hub's database: SQLite (one file, the default) or PostgreSQL (several hub processes). Reads see one
/// consistent snapshot; writes are transactions that either commit whole or leave nothing.
protocol HubDatabase: Sendable {
    var dialect: SQLDialect { get }
    func read<T>(_ body: (any HubSQL) throws -> T) throws -> T
    @discardableResult
    func write<T>(_ body: (any HubSQL) throws -> T) throws -> T
}

enum SQLPlaceholders {
    /// Rewrites `?` and `?N` placeholders as PostgreSQL's `$N`, leaving quoted text alone.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var next = 1
        var inQuote = false
        var characters = sql.unicodeScalars.makeIterator()
        var pending = characters.next()
        while let character = pending {
            pending = characters.next()
            if character == "'" { inQuote.toggle() }
            guard character == "?", !inQuote else {
                out.unicodeScalars.append(character)
                continue
            }
            var digits = ""
            while let digit = pending, ("0"..."9").contains(digit) {
                digits.unicodeScalars.append(digit)
                pending = characters.next()
            }
            if digits.isEmpty {
                out += "$\(next)"
                next += 1
            } else {
                out += "$" + digits
            }
        }
        return out
    }
}
