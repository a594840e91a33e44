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
                      EnrollCode.self, DeviceCommand.self, Devices.self, Redemptions.self])
}

/// The data directory option every command takes.
struct DataOptions: ParsableArguments {
    @Option(help: "The hub's data directory (created if missing).") var data = "counter-hub-data"

    func store() throws -> HubStore { try HubStore(directory: data) }
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
