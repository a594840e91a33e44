import ArgumentParser
import CounterCore
import CounterHub
import Foundation

extension StaffRole: ExpressibleByArgument {}

extension CounterHubCommand {
    /// `counter-hub staff`: the shops' 收银 (cashiers) and 店长 (store managers).
    struct StaffCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "staff", abstract: "Manage the shops' staff: 收银 cashiers and 店长 store managers.",
            subcommands: [Add.self, PIN.self, Badge.self, Disable.self, Enable.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a staff member to a shop.")
            @OptionGroup var options: DataOptions
            @Option(help: "The shop id.") var shop: String
            @Option(help: "The staff id (1-64 printable ASCII characters, unique across the platform).") var id: String
            @Option(help: "The name shown at the counter and on receipts.") var name: String
            @Option(help: "cashier (收银) or manager (店长).") var role: StaffRole

            func run() throws {
                try admin { try options.store().addStaff(id: id, shop: shop, name: name, role: role) }
                print("staff \(id) (\(role.rawValue)) added to shop \(shop); set a PIN with `counter-hub staff pin \(id)`")
            }
        }

        struct PIN: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "pin",
                abstract: "Set a staff member's PIN (6 to 12 digits), read from standard input; only a salted verifier is kept.",
                discussion: "The PIN is never taken from the command line, where the process list would show it: type it at the prompt, or pipe it in.")
            @OptionGroup var options: DataOptions
            @Argument(help: "The staff id.") var id: String

            func run() throws {
                let terminal = isatty(STDIN_FILENO) == 1
                guard let pin = Self.readPIN(prompt: terminal ? "PIN for \(id): " : nil), !pin.isEmpty else {
                    FileHandle.standardError.write(Data("counter-hub: no PIN on standard input\n".utf8))
                    throw ExitCode.failure
                }
                // At a terminal the PIN is not shown, so it is typed twice.
                if terminal, Self.readPIN(prompt: "PIN again: ") != pin {
                    FileHandle.standardError.write(Data("counter-hub: the two PINs differ; nothing changed\n".utf8))
                    throw ExitCode.failure
                }
                try admin { try options.store().setStaffPIN(id: id, pin: pin) }
                print("PIN of staff \(id) set")
            }

            /// One line of standard input; at a terminal after `prompt`, with echo off so the PIN is not shown.
            static func readPIN(prompt: String?) -> String? {
                guard let prompt else { return readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces) }
                FileHandle.standardError.write(Data(prompt.utf8))
                var saved = termios()
                let hidden = tcgetattr(STDIN_FILENO, &saved) == 0
                if hidden {
                    var quiet = saved
                    quiet.c_lflag &= ~tcflag_t(ECHO)
                    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
                }
                defer {
                    if hidden { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
                    FileHandle.standardError.write(Data("\n".utf8))
                }
                return readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
            }
        }

        struct Badge: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Issue a staff badge (员工卡): a signed code to print on a card; scanned at a counter, it signs its holder in.",
                discussion: "A new badge retires the member's old card once the counters have the change (one feed page).")
            @OptionGroup var options: DataOptions
            @Argument(help: "The staff id.") var id: String

            func run() throws {
                let code = try admin { try options.store().issueStaffBadge(id: id) }
                print(code)
            }
        }

        struct Disable: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Disable a staff member: they can no longer sign in.")
            @OptionGroup var options: DataOptions
            @Argument(help: "The staff id.") var id: String

            func run() throws {
                try admin { try options.store().setStaffEnabled(id: id, false) }
                print("staff \(id) disabled")
            }
        }

        struct Enable: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Enable a disabled staff member again.")
            @OptionGroup var options: DataOptions
            @Argument(help: "The staff id.") var id: String

            func run() throws {
                try admin { try options.store().setStaffEnabled(id: id, true) }
                print("staff \(id) enabled")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List staff: id, shop, name, role, whether enabled and whether a PIN is set.")
            @OptionGroup var options: DataOptions
            @Option(help: "Only this shop's staff.") var shop: String?
            @Flag(help: "One JSON object per line.") var json = false

            func run() throws {
                for member in try admin({ try options.store().staff(shop: shop) }) {
                    if json {
                        try printJSONLine(member)
                    } else {
                        print([member.id, member.shopId, member.name, member.role.rawValue, member.enabled ? "enabled" : "DISABLED",
                               member.hasPin ? "pin set" : "NO PIN"].joined(separator: "  "))
                    }
                }
            }
        }
    }
}
