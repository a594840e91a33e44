import Foundation
import GRDB

/// A value bound to a statement or read from a row, the same for both database backends.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
    case bool(Bool)
    case date(Date)
}

/// A Swift value that can be bound to a statement.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

/// A Swift value that can be read from a column. Reading a value of the wrong kind throws
/// (a damaged or foreign database), never traps.
protocol SQLReadable {
    static func read(_ value: SQLValue) throws -> Self
}

/// Why a stored value could not be read as the type asked for.
struct SQLReadError: Error, CustomStringConvertible {
    let description: String
}

extension SQLValue: SQLBindable {
    var sqlValue: SQLValue { self }
}

extension String: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .text(self) }
    static func read(_ value: SQLValue) throws -> String {
        guard case .text(let text) = value else { throw SQLReadError(description: "expected text, found \(value)") }
        return text
    }
}

extension Int64: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(self) }
    static func read(_ value: SQLValue) throws -> Int64 {
        switch value {
        case .integer(let integer): return integer
        case .bool(let bool): return bool ? 1 : 0
        case .real(let real) where real.isFinite && real.rounded() == real && abs(real) < 9e18: return Int64(real)
        default: throw SQLReadError(description: "expected an integer, found \(value)")
        }
    }
}

extension Int: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .integer(Int64(self)) }
    static func read(_ value: SQLValue) throws -> Int { Int(try Int64.read(value)) }
}

extension Double: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .real(self) }
    static func read(_ value: SQLValue) throws -> Double {
        switch value {
        case .real(let real): return real
        case .integer(let integer): return Double(integer)
        default: throw SQLReadError(description: "expected a number, found \(value)")
        }
    }
}

extension Bool: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .bool(self) }
    static func read(_ value: SQLValue) throws -> Bool {
        switch value {
        case .bool(let bool): return bool
        case .integer(let integer): return integer != 0
        default: throw SQLReadError(description: "expected a boolean, found \(value)")
        }
    }
}

extension Date: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .date(self) }
    static func read(_ value: SQLValue) throws -> Date {
        switch value {
        case .date(let date): return date
        case .text(let text):
            // SQLite keeps dates as GRDB writes them ("yyyy-MM-dd HH:mm:ss.SSS", UTC).
            guard let date = Date.fromDatabaseValue(text.databaseValue) else {
                throw SQLReadError(description: "expected a date, found \(text)")
            }
            return date
        default: throw SQLReadError(description: "expected a date, found \(value)")
        }
    }
}

extension Data: SQLBindable, SQLReadable {
    var sqlValue: SQLValue { .blob(self) }
    static func read(_ value: SQLValue) throws -> Data {
        guard case .blob(let data) = value else { throw SQLReadError(description: "expected bytes, found \(value)") }
        return data
    }
}

extension Optional: SQLBindable where Wrapped: SQLBindable {
    var sqlValue: SQLValue { map(\.sqlValue) ?? .null }
}

extension Optional: SQLReadable where Wrapped: SQLReadable {
    static func read(_ value: SQLValue) throws -> Wrapped? {
        value == .null ? nil : try Wrapped.read(value)
    }
}

/// One row of a result, its columns in order.
struct HubRow: Sendable {
    let names: [String]
    let values: [SQLValue]

    /// The column's value as `T`; throws when there is no such column or its value is not a `T`.
    subscript<T: SQLReadable>(_ name: String) -> T {
        get throws {
            guard let index = names.firstIndex(of: name) else { throw SQLReadError(description: "no column \(name)") }
            do {
                return try T.read(values[index])
            } catch let error as SQLReadError {
                throw SQLReadError(description: "column \(name): \(error.description)")
            }
        }
    }
}
