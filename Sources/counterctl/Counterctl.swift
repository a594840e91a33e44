import CounterCore
import ArgumentParser
import CounterAPIModels
import CounterClient
import Foundation

/// `counterctl`: the technician's and cashier's tool. It talks to counterd over its socket and never opens the ledger.
@main
struct Counterctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counterctl",
        abstract: "Talk to the running counterd: redeem, check, void, history, status, sync, devices, receipts and printers.",
        discussion: """
            Exit status: 0 accepted or done, 1 rejected or refused, 64 usage error, 69 counterd unreachable.
            """,
        subcommands: [Status.self, Redeem.self, Check.self, VoidRedemption.self, History.self, Sync.self,
                      Devices.self, Watch.self, Outbox.self, Printers.self, PrintTest.self, Receipt.self, Doctor.self, Metrics.self, Shift.self, Training.self])
}

/// Options every command takes.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "counterd's API socket (default: $COUNTERD_SOCKET, then the runtime directory).")
    var socket: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Option(help: "The staff member to act for (an id from `counter-hub staff list`); recorded with redemptions and voids.")
    var staff: String?

    var client: CounterClient { CounterClient(socketPath: socket ?? DefaultPaths.clientSocketPath(), staffID: staff) }
}

/// Exit statuses of counterctl (sysexits.h where one fits).
enum CounterctlExit {
    static let rejected = ExitCode(1)
    static let unavailable = ExitCode(69)
}

/// Runs a request, turning client errors into a message on standard error and the right exit status.
func perform<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as CounterClientError {
        FileHandle.standardError.write(Data("counterctl: \(error)\n".utf8))
        switch error {
        case .unreachable: throw CounterctlExit.unavailable
        case .api(let status, _, _) where status >= 400 && status < 500: throw ExitCode.validationFailure
        default: throw ExitCode.failure
        }
    }
}

/// Prints a value as one line of JSON.
func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try WireJSON.encoder().encode(value), as: UTF8.self))
}

/// Reads the code argument; `-` reads it from standard input (keeps it out of the process list).
func readCode(_ argument: String) throws -> String {
    guard argument == "-" else { return argument }
    guard let line = readLine(strippingNewline: true) else {
        throw ValidationError("expected a code on standard input")
    }
    return line
}
