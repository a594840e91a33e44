import ArgumentParser
import CounterDaemon
import CounterScan
import Foundation

extension Counterd {
    struct UdevRulesCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "udev-rules",
            abstract: "Print the udev rules for the scanner profiles (install as /etc/udev/rules.d/70-counterd-scanners.rules).",
            discussion: """
                The rules give the group read access to exactly the matched scanners' input, hidraw and tty nodes (never \
                the raw USB device), keep ModemManager off serial scanners and the desktop off keyboard scanners, and add \
                /dev/counterd/ links. Profiles whose id, name or product_contains words are unsafe in udev rules are skipped. \
                Then: udevadm control --reload && udevadm trigger.
                """)

        @Option(help: "The group that gets access (the counterd service user's group).") var group = "counterd"
        @Option(help: "An extra directory of FAMILY/*.json scanner profiles, searched first.") var profilesDirectory: String?

        func run() throws {
            guard UdevRules.isValidGroupName(group) else {
                FileHandle.standardError.write(Data("counterd udev-rules: --group must be a group name ([a-z_][a-z0-9_-]{0,31})\n".utf8))
                throw ExitCode(2)
            }
            let profiles = ScannerProfiles.load(from: USBScannerConfiguration.directories(extra: profilesDirectory))
            for problem in profiles.problems {
                FileHandle.standardError.write(Data("counterd udev-rules: skipped \(problem)\n".utf8))
            }
            guard !profiles.profiles.isEmpty else {
                FileHandle.standardError.write(Data("counterd udev-rules: no scanner profiles found; install them in /usr/share/counterd/scanners or pass --profiles-directory\n".utf8))
                throw ExitCode(1)
            }
            print(UdevRules.generate(for: profiles.profiles, group: group), terminator: "")
        }
    }
}
