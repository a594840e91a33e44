import CounterAPI
import CounterAPIModels
import CounterCore
import CounterLedger
import CounterPrint
import CounterReceipts
import CounterScan
import Foundation
import Logging
import Yams

extension DaemonConfiguration {
    /// Reads and validates a YAML configuration file, with the environment's and the flags' overrides on top
    /// (defaults < file < environment < flags; see ``ConfigOverrides``).
    /// - Throws: ``ConfigError`` naming the key, the value, the fix, and the file or override it came from.
    public static func load(file path: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                            flags: [String] = []) throws -> DaemonConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(key: "", problem: "cannot read the file (\(error.localizedDescription))",
                              fix: "check the path and that the counterd user may read it", file: path)
        }
        do {
            return try parse(yaml: text, environment: environment, flags: flags)
        } catch var error as ConfigError {
            if error.file == nil { error.file = path }
            throw error
        }
    }

    /// The first mapping key anywhere in `node` that is not a scalar (a sequence, a mapping or an alias as a key).
    static func firstNonScalarKey(in node: Node) -> Node? {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard case .scalar = key else { return key }
                if let found = firstNonScalarKey(in: value) { return found }
            }
            return nil
        case .sequence(let sequence):
            return sequence.lazy.compactMap(firstNonScalarKey(in:)).first
        default:
            return nil
        }
    }

    /// Parses and validates YAML text, with the environment's and the flags' overrides on top.
    public static func parse(yaml text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                             flags: [String] = []) throws -> DaemonConfiguration {
        let overrides = try ConfigOverrides(environment: environment, flags: flags)
        let document: Any?
        do {
            // Yams traps on a mapping key that is not a scalar (`? [a, b]`), so the node tree is checked first.
            if let node = try Yams.compose(yaml: text), let key = firstNonScalarKey(in: node) {
                throw ConfigError(key: "", problem: "has a key that is not a plain name (line \(key.mark?.line ?? 0))",
                                  fix: "write keys as plain names such as device: or scanners:")
            }
            document = try Yams.load(yaml: text)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(key: "", problem: "is not valid YAML (\(error))",
                              fix: "correct the syntax at the line shown; indent with spaces, not tabs")
        }
        guard var mapping = document as? [String: Any] else {
            throw ConfigError(key: "", problem: "must be a mapping of keys such as device: and scanners:",
                              fix: "start from the example file config/counterd.example.yaml (installed as /etc/counterd/counterd.yaml)")
        }
        try overrides.apply(to: &mapping)
        var root = ConfigTable(path: "", values: mapping)
        do {
            return try parse(root: &root, environment: environment)
        } catch let error as ConfigError {
            throw overrides.attribute(error)
        }
    }

    /// The keys of the file, section by section, each section's keys declared beside its parser. The order is the
    /// order an unknown-key error lists them in.
    static let configKeys: [ConfigKey] = [
        .section("device", DeviceSection.configKeys),
        .text("state_directory"),
        .section("api", APIListeners.configKeys),
        .section("redeem", RedeemSection.configKeys),
        .section("staff", StaffSection.configKeys),
        .section("shifts", ShiftsSection.configKeys),
        .section("hub", HubSection.configKeys),
        .section("log", LogSection.configKeys),
        .trueFalse("demo"),
        .list("scanners", ScannerConfiguration.configKeys),
        .section("printer", PrinterConfiguration.configKeys),
        .section("usb_scanners", USBScannerConfiguration.configKeys),
    ]

    private static func parse(root: inout ConfigTable, environment: [String: String]) throws -> DaemonConfiguration {
        var device = try root.table("device") ?? ConfigTable(path: "device", values: [:])
        let (identity, timeZone) = try DeviceSection.parse(&device)

        guard let stateDirectory = try root.string("state_directory", fix: "write a directory path"), !stateDirectory.isEmpty else {
            throw ConfigError(key: "state_directory", problem: "is missing",
                              fix: "set it to the directory for the ledger, e.g. /var/lib/counterd")
        }

        var api = APIListeners(socketPath: DefaultPaths.socketPath(environment: environment))
        if var table = try root.table("api") {
            api = try APIListeners.parse(&table, environment: environment)
        }

        var voidWindow = RedeemSection.defaultVoidWindow
        if var table = try root.table("redeem") {
            voidWindow = try RedeemSection.parse(&table)
        }

        var sessionIdle = StaffSection.defaultSessionIdle
        if var table = try root.table("staff") {
            sessionIdle = try StaffSection.parse(&table)
        }

        var dayClose = ShiftsSection.defaultDayClose
        if var table = try root.table("shifts") {
            dayClose = try ShiftsSection.parse(&table)
        }

        var (pollInterval, tokenRotation) = (HubSection.defaultPollInterval, HubSection.defaultTokenRotation)
        if var table = try root.table("hub") {
            (pollInterval, tokenRotation) = try HubSection.parse(&table)
        }

        var logLevel = LogSection.defaultLevel
        if var table = try root.table("log") {
            logLevel = try LogSection.parse(&table)
        }

        var printer = PrinterConfiguration.off
        var profileDirectories = PrinterProfiles.directories(environment: environment)
        if var table = try root.table("printer") {
            (printer, profileDirectories) = try PrinterConfiguration.parse(&table, environment: environment)
        }

        var usbScanners = USBScannerConfiguration(profileDirectories: USBScannerConfiguration.directories(environment: environment))
        if var table = try root.table("usb_scanners") {
            usbScanners = try USBScannerConfiguration.parse(&table, environment: environment)
        }

        let demo = try root.bool("demo") ?? false
        let scanners = try (root.list("scanners") ?? []).map(ScannerConfiguration.parse)
        try ScannerConfiguration.check(scanners)
        try root.finish(configKeys)
        var configuration = DaemonConfiguration(identity: identity, timeZone: timeZone, stateDirectory: stateDirectory, api: api,
                                                voidWindow: voidWindow, loadDemoData: demo, logLevel: logLevel, scanners: scanners)
        configuration.syncPollInterval = pollInterval
        configuration.tokenRotation = tokenRotation
        configuration.staffSessionIdle = sessionIdle
        configuration.dayClose = dayClose
        configuration.printer = printer
        configuration.printerProfileDirectories = profileDirectories
        configuration.usbScanners = usbScanners
        return configuration
    }

    static func parseHTTPAddress(_ text: String, allowNonLoopback: Bool) throws -> APIListeners.HTTPAddress {
        let fix = "write host:port such as 127.0.0.1:8765"
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (1...65535).contains(port) else {
            throw ConfigError(key: "api.http", value: text, problem: "is not host:port", fix: fix)
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigError(key: "api.http", value: text, problem: "has no host", fix: fix) }
        guard LoopbackHost.contains(host) || allowNonLoopback else {
            throw ConfigError(key: "api.http", value: text, problem: "is reachable from the network",
                              fix: "listen on 127.0.0.1, or set api.allow_non_loopback: true if you really mean it")
        }
        return APIListeners.HTTPAddress(host: host, port: port)
    }
}
