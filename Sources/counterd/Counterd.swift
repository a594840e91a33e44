import CounterCore
import ArgumentParser
import CounterAPI
import CounterDaemon
import CounterLedger
import CounterScan
import Foundation
import Logging

/// `counterd`: the counter daemon. With no arguments it runs the embedded demo configuration.
@main
struct Counterd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "counterd",
        abstract: "Verify and redeem codes at the shop counter, offline first.",
        discussion: """
            With no arguments, counterd runs a demo counter: state in ./counterd-demo, codes typed on \
            this terminal, demo codes printed at start. Use `counterd run --config FILE` in production.
            """,
        version: CounterVersion.current,
        subcommands: [Run.self, CheckConfig.self, Enroll.self, UdevRulesCommand.self],
        defaultSubcommand: Run.self)
}

/// The help of `--set`, shared by the commands that read the configuration.
let settingHelp = """
    Override one configuration key, above the file and the environment (COUNTERD_<KEY>); repeatable, \
    e.g. --set log.level=debug.
    """

/// Loads the configuration named by `--config`, or the demo default, with the environment's and the
/// `--set` flags' overrides on top; prints config errors and exits 78.
func loadConfiguration(_ path: String?, settings: [String] = []) throws -> DaemonConfiguration {
    do {
        guard let path else { return try .demo(flags: settings) }
        return try DaemonConfiguration.load(file: path, flags: settings)
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("counterd: \(error)\n".utf8))
        throw ExitCode(ConfigError.exitCode)
    }
}

extension Counterd {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the daemon (the default command).")

        @Option(name: .shortAndLong, help: "The YAML configuration file. Without it, the embedded demo configuration is used.")
        var config: String?

        @Option(name: .customLong("set"), help: ArgumentHelp(settingHelp, valueName: "key=value"))
        var settings: [String] = []

        func run() async throws {
            // Nothing counterd creates (ledger, socket, state) is for other users.
            umask(0o007)
            let configuration = try loadConfiguration(config, settings: settings)
            let level = configuration.logLevel
            LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, level: level) }
            let logger = Logger(label: "counterd")
            let daemon: Daemon
            do {
                daemon = try await buildDaemon(configuration, logger: logger) { listener in
                    logger.notice("listening", metadata: ["listener": "\(listener)"])
                }
            } catch let error as ConfigError {
                FileHandle.standardError.write(Data("counterd: \(error)\n".utf8))
                throw ExitCode(ConfigError.exitCode)
            } catch {
                FileHandle.standardError.write(Data("counterd: cannot start: \(error)\n".utf8))
                throw ExitCode(1)
            }
            if config == nil { printDemoBanner(configuration) }
            logger.notice("started", metadata: ["device_id": "\(daemon.ledger.identity.deviceID)",
                                                "shop_id": "\(daemon.ledger.identity.shopID)",
                                                "enrolled": "\(daemon.syncer != nil)",
                                                "ledger": "\(configuration.ledgerPath)"])
            try await daemon.run()
            logger.notice("stopped")
        }

        private func printDemoBanner(_ configuration: DaemonConfiguration) {
            var text = """
                counterd demo · 演示模式 — shop \(DemoData.shopID), state in ./\(configuration.stateDirectory)
                Type a code and press Enter. 输入核销码并回车。 Try:

                """
            for demo in DemoData.codes {
                text += "  \(demo.code)\n      \(demo.explanation)\n"
            }
            text += "Or in another terminal: counterctl redeem DEMO-0002 · counterctl history · Ctrl-C to stop\n"
            if let http = configuration.api.http {
                text += "The cashier's screen 收银屏幕: open http://\(http)/ in a browser\n"
            }
            text += "\n"
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    struct CheckConfig: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config", abstract: "Validate a configuration file without starting.")

        @Option(name: .shortAndLong, help: "The YAML configuration file.")
        var config: String

        @Option(name: .customLong("set"), help: ArgumentHelp(settingHelp, valueName: "key=value"))
        var settings: [String] = []

        func run() async throws {
            let configuration = try loadConfiguration(config, settings: settings)
            let overrides = (try? ConfigOverrides(environment: ProcessInfo.processInfo.environment, flags: settings).entries) ?? []
            for entry in overrides {
                print("override: \(entry.key) from \(entry.origin)")
            }
            let who = configuration.identity.map { "device \($0.deviceID) of shop \($0.shopID)" } ?? "device from enrollment"
            var usb = "USB scanners off"
            if configuration.usbScanners.enabled {
                let profiles = ScannerProfiles.load(from: configuration.usbScanners.profileDirectories)
                for problem in profiles.problems {
                    FileHandle.standardError.write(Data("counterd check-config: scanner profile skipped: \(problem)\n".utf8))
                }
                usb = "\(profiles.profiles.count) USB scanner profile(s)"
                    + (profiles.problems.isEmpty ? "" : ", \(profiles.problems.count) broken (skipped)")
            }
            print("ok: \(who), "
                  + "\(configuration.scanners.count) configured scanner(s), \(usb), socket \(configuration.api.socketPath)")
        }
    }
}
