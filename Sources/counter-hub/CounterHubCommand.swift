import ArgumentParser
import CounterCore
import CounterHub
import Foundation

/// `counter-hub`: the reference central engine for counterd (docs/protocol.md). Admin commands work
/// on the same data directory while `serve` runs.
@main
struct CounterHubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counter-hub",
        abstract: "The reference central engine for counterd: feed, event intake, admin tools.",
        subcommands: [Serve.self, ShopCommand.self, CampaignCommand.self, TokensCommand.self, KeysCommand.self, EpochCommand.self,
                      EnrollCode.self, DeviceCommand.self, Devices.self, StaffCommand.self, StatementCommand.self, Redemptions.self,
                      AdminTokenCommand.self, Export.self])
}

/// Where the hub keeps its data, an option every command takes: a SQLite data directory (the default), or a
/// PostgreSQL database given by `--database` or, so that a password stays out of the process list, by
/// `COUNTER_HUB_DATABASE`.
struct DataOptions: ParsableArguments {
    @Option(help: "The hub's SQLite data directory (created if missing), unless a PostgreSQL database is given.")
    var data = "counter-hub-data"
    @Option(help: ArgumentHelp("A PostgreSQL database instead: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…].",
                               discussion: "Defaults to the environment variable COUNTER_HUB_DATABASE."))
    var database: String?

    /// The PostgreSQL URL in use, if any.
    var databaseURL: String? {
        database ?? ProcessInfo.processInfo.environment["COUNTER_HUB_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where the data is, fit to print: the directory, or the database URL without its password.
    var describedLocation: String {
        guard let url = databaseURL else { return data }
        guard var components = URLComponents(string: url) else { return "<invalid database URL>" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "<invalid database URL>"
    }

    func validate() throws {
        if let url = databaseURL, !HubStore.isPostgresURL(url) {
            throw ValidationError("--database must be a postgres:// URL")
        }
    }

    func store() throws -> HubStore {
        if let url = databaseURL { return try HubStore(postgres: url) }
        return try HubStore(directory: data)
    }
}

/// Runs an admin operation, printing hub errors plainly.
func admin<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as HubError {
        FileHandle.standardError.write(Data("counter-hub: \(error.message)\n".utf8))
        throw ExitCode.failure
    }
}

/// Prints one value as one line of JSON in the protocol's conventions.
func printJSONLine(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.dateEncodingStrategy = RFC3339.encodingStrategy
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Parses an amount in yuan such as `18`, `18.5` or `18.50` into fen.
func parseYuan(_ text: String) throws -> Int {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let yuan = Int(parts[0]), yuan >= 0 else {
        throw ValidationError("\(text) is not an amount in yuan such as 18.00")
    }
    guard parts.count == 2 else { return yuan * 100 }
    let fraction = String(parts[1])
    guard (1...2).contains(fraction.count), let cents = Int(fraction.count == 1 ? fraction + "0" : fraction) else {
        throw ValidationError("\(text) is not an amount in yuan such as 18.00")
    }
    return yuan * 100 + cents
}
