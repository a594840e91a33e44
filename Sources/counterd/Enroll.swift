import ArgumentParser
import CounterCore
import CounterDaemon
import CounterLedger
import CounterSync
import CounterSyncModels
import Foundation

extension Counterd {
    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enroll this counter with the central engine using a one-time code.",
            discussion: """
                Stores the device credential and the pinned root key in the state directory (mode 0600). \
                Give the one-time code on standard input (`--code -`, or leave --code out: a terminal is prompted), \
                so that it never shows in the process list.
                """)

        @Option(name: .shortAndLong, help: "The YAML configuration file (for the state directory).") var config: String
        @Option(help: "The central engine's base URL (https://…, or http:// to a loopback address).") var hub: String
        @Option(help: "The one-time enrollment code from the platform; `-` or none reads it from standard input (prompting on a terminal). A code given here shows in the process list.")
        var code: String?
        @Option(help: "A name for admins (default: the host name).") var name: String?

        func run() async throws {
            // The ledger it creates is the daemon's: group counterd, no one else (as `counterd run` makes it).
            umask(0o007)
            let configuration = try loadConfiguration(config)
            func fail(_ message: String, _ status: Int32 = 1) -> ExitCode {
                FileHandle.standardError.write(Data("counterd enroll: \(message)\n".utf8))
                return ExitCode(status)
            }
            let url: URL
            do {
                url = try validateHubURL(hub)
            } catch {
                throw fail("\(error)", 64)
            }
            if let existing = try HubCredential.load(from: configuration.stateDirectory) {
                throw fail("already enrolled as \(existing.deviceID) of shop \(existing.shopID) with \(redactedHubURL(existing.hubURL)); "
                           + "remove \(HubCredential.path(in: configuration.stateDirectory)) to enroll again")
            }
            if FileManager.default.fileExists(atPath: configuration.ledgerPath) {
                // Enrolling gives a new device id; a ledger of another identity could never be opened with it.
                throw fail("\(configuration.ledgerPath) already exists (a counter used before enrollment, or the demo); "
                           + "enroll with a new state_directory so its redemptions are never mixed with another device's")
            }
            guard let code = Self.readCode(code) else {
                throw fail("no enrollment code: give --code CODE, or type it when asked, or pipe it to standard input", 64)
            }
            let client = HubClient(baseURL: url, token: nil)
            do {
                let time = try await client.time()
                let offset = time.serverTime.timeIntervalSinceNow
                if abs(offset) > 2 * 3600 {
                    FileHandle.standardError.write(Data("warning: this clock is \(Int(abs(offset) / 60)) minutes off the hub's\n".utf8))
                }
                // The contract allows 64 characters; a host's full domain name can be longer.
                let deviceName = String(String.UnicodeScalarView((name ?? ProcessInfo.processInfo.hostName).unicodeScalars.prefix(64)))
                let answer = try await client.enroll(code: code, deviceName: deviceName)
                guard let root = Hex.decode(answer.rootPublicKey), root.count == 32 else {
                    throw fail("the hub sent an invalid root key")
                }
                guard HubClient.isDeviceToken(answer.deviceToken) else {
                    throw fail("the hub sent an invalid device token (not 43 to 512 printable ASCII characters)")
                }
                let identity = DeviceIdentity(deviceID: answer.deviceId, shopID: answer.shopId)
                if let configured = configuration.identity, configured != identity {
                    throw fail("the configuration names device \(configured.deviceID) of shop \(configured.shopID), but the code "
                               + "enrolls \(identity.deviceID) of shop \(identity.shopID); remove device.id and device.shop", 78)
                }
                try HubCredential(hubURL: url.absoluteString, deviceID: answer.deviceId, shopID: answer.shopId,
                                  deviceToken: answer.deviceToken, rootPublicKey: answer.rootPublicKey,
                                  enrolledAt: Date()).save(to: configuration.stateDirectory)
                _ = try Ledger(path: configuration.ledgerPath, identity: identity)
                print("enrolled as device \(answer.deviceId) of shop \(answer.shopId); start counterd to sync")
            } catch let error as SyncError {
                throw fail("\(error)")
            }
        }

        /// The code from `--code`, or (for `-` or none) the first line of standard input, prompting on a terminal.
        static func readCode(_ option: String?) -> String? {
            if let option, option != "-" { return option.trimmingCharacters(in: .whitespacesAndNewlines) }
            if isatty(STDIN_FILENO) == 1 {
                FileHandle.standardError.write(Data("enrollment code: ".utf8))
            }
            guard let line = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !line.isEmpty else { return nil }
            return line
        }
    }
}
