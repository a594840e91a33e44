import ArgumentParser
import CounterAPIModels
import CounterClient
import Foundation

extension Counterctl {
    /// `counterctl outbox list|retry`: the upload queue, and dead letters sent again by hand.
    struct Outbox: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the upload queue's dead letters (or pending events) and send dead letters again.",
            subcommands: [List.self, Retry.self], defaultSubcommand: List.self)

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List dead letters (or, with --pending, events waiting to upload).")
            @Flag(help: "List pending events instead of dead letters.") var pending = false
            @Option(help: "How many to show (1-1000).") var limit: Int = 100
            @OptionGroup var options: ConnectionOptions

            func validate() throws {
                guard (1...1000).contains(limit) else { throw ValidationError("--limit must be from 1 to 1000") }
            }

            func run() async throws {
                let list = try await perform { try await options.client.outbox(state: pending ? "pending" : "dead", limit: limit) }
                if options.json { return try printJSON(list) }
                if list.entries.isEmpty {
                    print(pending ? "no events waiting to upload" : "no dead letters")
                    return
                }
                for entry in list.entries {
                    var line = "\(entry.eventId)  \(entry.kind)  attempts \(entry.attempts)"
                    if entry.refusals > 0 { line += ", refused \(entry.refusals)×" }
                    print(line)
                    if let error = entry.lastError { print("    \(error)") }
                }
                if !pending {
                    print("\nsend them again with `counterctl outbox retry ID…` or `counterctl outbox retry --all`")
                }
            }
        }

        struct Retry: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Put dead letters back in the upload queue: the ids given, or every one with --all.")
            @Argument(help: "Event ids (UUIDs) of dead letters.") var ids: [String] = []
            @Flag(help: "Every dead letter.") var all = false
            @OptionGroup var options: ConnectionOptions

            func validate() throws {
                guard all != !ids.isEmpty else { throw ValidationError("give event ids or --all (not both)") }
                if let bad = ids.first(where: { UUID(uuidString: $0) == nil }) {
                    throw ValidationError("\(bad) is not an event id (a UUID such as 0192f0c1-2a3b-7c4d-8e5f-0123456789ab)")
                }
            }

            func run() async throws {
                let answer = try await perform { try await options.client.retryOutbox(all ? nil : ids) }
                if options.json { return try printJSON(answer) }
                print("re-queued \(answer.requeued.count) event(s); they upload at the next sync (`counterctl sync` to send now)")
                let missing = ids.filter { id in !answer.requeued.contains(id.lowercased()) }
                if !missing.isEmpty {
                    FileHandle.standardError.write(Data("not dead letters here: \(missing.joined(separator: ", "))\n".utf8))
                    throw CounterctlExit.rejected
                }
            }
        }
    }
}
