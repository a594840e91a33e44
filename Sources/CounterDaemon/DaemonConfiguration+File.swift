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

    private static func parse(root: inout ConfigTable, environment: [String: String]) throws -> DaemonConfiguration {
        var device = try root.table("device") ?? ConfigTable(path: "device", values: [:])
        // An enrolled counter learns its id and shop from enrollment; the file may leave them out.
        let deviceID = try optionalIdentifier(&device, "id")
        let shopID = try optionalIdentifier(&device, "shop")
        guard (deviceID == nil) == (shopID == nil) else {
            throw ConfigError(key: deviceID == nil ? "device.id" : "device.shop", problem: "is missing",
                              fix: "set both device.id and device.shop, or neither (an enrolled counter takes them from enrollment)")
        }
        let identity = deviceID.map { DeviceIdentity(deviceID: $0, shopID: shopID!) }
        let zoneName = try device.string("time_zone", fix: "use an IANA name such as Asia/Shanghai") ?? "Asia/Shanghai"
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw ConfigError(key: "device.time_zone", value: zoneName, problem: "is not a known time zone",
                              fix: "use an IANA name such as Asia/Shanghai")
        }
        try device.finish(known: ["id", "shop", "time_zone"])

        guard let stateDirectory = try root.string("state_directory", fix: "write a directory path"), !stateDirectory.isEmpty else {
            throw ConfigError(key: "state_directory", problem: "is missing",
                              fix: "set it to the directory for the ledger, e.g. /var/lib/counterd")
        }

        var api = APIListeners(socketPath: DefaultPaths.socketPath(environment: environment))
        if var apiTable = try root.table("api") {
            if let socket = try apiTable.string("socket", fix: "write an absolute path") {
                guard socket.hasPrefix("/"), socket.utf8.count < 108 else {
                    throw ConfigError(key: "api.socket", value: socket, problem: "must be an absolute path shorter than 108 bytes",
                                      fix: "use a path such as /run/counterd/counterd.sock")
                }
                api.socketPath = socket
            }
            let allowNetwork = try apiTable.bool("allow_non_loopback") ?? false
            if let http = try apiTable.string("http", fix: "write host:port, e.g. 127.0.0.1:8765") {
                api.http = try parseHTTPAddress(http, allowNonLoopback: allowNetwork)
            }
            try apiTable.finish(known: ["socket", "http", "allow_non_loopback"])
        }

        var voidWindow = Duration.seconds(600)
        if var redeem = try root.table("redeem") {
            if let window = try redeem.duration("void_window", fix: "the default is 10m; 0 turns voids off",
                                                within: .zero ... .seconds(24 * 3600),
                                                rangeFix: "use a short window such as 10m; later corrections go through the platform") {
                voidWindow = window
            }
            try redeem.finish(known: ["void_window"])
        }

        var pollInterval = Duration.seconds(60)
        if var hub = try root.table("hub") {
            if let interval = try hub.duration("poll_interval", fix: "the default is 60s", within: .seconds(5) ... .seconds(86_400),
                                               rangeFix: "use 5s to 24h; the default is 60s") {
                pollInterval = interval
            }
            try hub.finish(known: ["poll_interval"])
        }

        var logLevel = Logger.Level.info
        if var log = try root.table("log") {
            let levels = "use trace, debug, info, notice, warning, error or critical"
            if let level = try log.string("level", fix: levels) {
                guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                    throw ConfigError(key: "log.level", value: level, problem: "is not a log level", fix: levels)
                }
                logLevel = parsed
            }
            try log.finish(known: ["level"])
        }

        var printer = PrinterConfiguration.off
        var profileDirectories = PrinterProfiles.directories(environment: environment)
        if var table = try root.table("printer") {
            (printer, profileDirectories) = try parsePrinter(&table, environment: environment)
        }

        var usbScanners = USBScannerConfiguration(profileDirectories: USBScannerConfiguration.directories(environment: environment))
        if var table = try root.table("usb_scanners") {
            usbScanners.enabled = try table.bool("enabled") ?? true
            if let interval = try table.duration("rescan_interval", fix: "the default is 2s",
                                                 within: .milliseconds(200) ... .seconds(60),
                                                 rangeFix: "use 200ms to 60s; the default is 2s (hotplug events come at once anyway)") {
                usbScanners.rescanInterval = interval
            }
            let extra = try table.string("profiles_directory", fix: "write a directory holding FAMILY/*.json profile files")
            usbScanners.profileDirectories = USBScannerConfiguration.directories(extra: extra, environment: environment)
            usbScanners.localProfilesDirectory = extra
            try table.finish(known: ["enabled", "rescan_interval", "profiles_directory"])
        }

        let demo = try root.bool("demo") ?? false
        let scanners = try (root.list("scanners") ?? []).map(parseScanner)
        let names = scanners.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ConfigError(key: "scanners", value: duplicate, problem: "has two scanners with the same name",
                              fix: "give every scanner its own name")
        }
        if scanners.filter({ if case .terminal = $0 { true } else { false } }).count > 1 {
            throw ConfigError(key: "scanners", value: "terminal", problem: "lists more than one terminal source",
                              fix: "keep one: they would all read the same standard input")
        }
        try root.finish(known: ["device", "state_directory", "api", "redeem", "hub", "log", "demo", "scanners", "printer", "usb_scanners"])
        var configuration = DaemonConfiguration(identity: identity, timeZone: timeZone, stateDirectory: stateDirectory, api: api,
                                                voidWindow: voidWindow, loadDemoData: demo, logLevel: logLevel, scanners: scanners)
        configuration.syncPollInterval = pollInterval
        configuration.printer = printer
        configuration.printerProfileDirectories = profileDirectories
        configuration.usbScanners = usbScanners
        return configuration
    }

    private static func parsePrinter(_ table: inout ConfigTable, environment: [String: String]) throws
        -> (PrinterConfiguration, [String]) {
        var printer = PrinterConfiguration()
        printer.enabled = try table.bool("enabled") ?? true
        if let destination = try table.string("destination", fix: "write the CUPS queue name, as `lpstat -p` lists it") {
            guard !destination.isEmpty, destination.utf8.count <= 127,
                  destination.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0 != "/" && $0 != "#" && $0.value != 0x7F }) else {
                throw ConfigError(key: table.key("destination"), value: destination,
                                  problem: "is not a CUPS queue name (printable, no spaces, '/' or '#', at most 127 bytes)",
                                  fix: "write the queue name as `lpstat -p` or `counterctl printers` lists it, or leave it out for the CUPS default")
            }
            printer.destination = destination
        }
        if let server = try table.string("cups_server", fix: "write host:port or the path of the CUPS socket") {
            guard !server.isEmpty else {
                throw ConfigError(key: table.key("cups_server"), value: server, problem: "is empty",
                                  fix: "leave it out for the local CUPS, or write host:port such as 127.0.0.1:631")
            }
            printer.cupsServer = server
        }
        let extra = try table.string("profiles_directory", fix: "write a directory of profile files")
        let directories = PrinterProfiles.directories(extra: extra, environment: environment)
        if let id = try table.string("profile", fix: "use a profile id such as generic-58 or xprinter-xp80") {
            printer.profile = try PrinterProfiles.find(id, in: directories, key: table.key("profile"))
        }
        printer.kickDrawer = try table.bool("kick_drawer") ?? false
        if printer.kickDrawer, printer.profile.drawerPins.isEmpty {
            throw ConfigError(key: table.key("kick_drawer"), value: "true", problem: "is set but profile \(printer.profile.id) has no drawer pins",
                              fix: "choose a profile with drawer_pins, or set kick_drawer: false")
        }
        try table.finish(known: ["enabled", "destination", "cups_server", "profiles_directory", "profile", "kick_drawer"])
        return (printer, directories)
    }

    private static func optionalIdentifier(_ table: inout ConfigTable, _ name: String) throws -> String? {
        guard let value = try table.string(name, fix: "write an identifier such as counter-01") else { return nil }
        guard (1...64).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigError(key: table.key(name), value: value, problem: "must be 1 to 64 printable ASCII characters without spaces",
                              fix: "use the identifier exactly as the platform gave it")
        }
        return value
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

    private static func parseScanner(_ table: ConfigTable) throws -> ScannerConfiguration {
        var table = table
        guard let name = try table.string("name", fix: "write a short name such as front-counter"), !name.isEmpty else {
            throw ConfigError(key: table.key("name"), problem: "is missing", fix: "give the scanner a short name such as front-counter")
        }
        let type = try table.string("type", fix: "use serial or terminal")
        switch type {
        case "terminal":
            try table.finish(known: ["name", "type"])
            return .terminal(name: name)
        case "serial":
            guard let path = try table.string("path", fix: "write the device path"), path.hasPrefix("/") else {
                throw ConfigError(key: table.key("path"), problem: "is missing or not an absolute path",
                                  fix: "set it to the scanner's tty, e.g. /dev/ttyACM0 or a /dev/serial/by-id/ link")
            }
            var configuration = SerialScanSource.Configuration(name: name, path: path)
            if let baud = try table.int("baud", fix: "use one of \(SerialPort.supportedBaudRates)") {
                guard SerialPort.supportedBaudRates.contains(baud) else {
                    throw ConfigError(key: table.key("baud"), value: "\(baud)", problem: "is not a supported speed",
                                      fix: "use one of \(SerialPort.supportedBaudRates.map(String.init).joined(separator: ", "))")
                }
                configuration.baud = baud
            }
            let terminatorFix = "use one of \(ScanTerminator.allCases.map(\.rawValue).joined(separator: ", "))"
            if let text = try table.string("terminator", fix: terminatorFix) {
                guard let terminator = ScanTerminator(rawValue: text.lowercased()) else {
                    throw ConfigError(key: table.key("terminator"), value: text, problem: "is not a terminator", fix: terminatorFix)
                }
                configuration.framing.terminator = terminator
            }
            if let timeout = try table.duration("inter_char_timeout", fix: "typical values are 50ms to 500ms",
                                                within: .milliseconds(10) ... .seconds(10),
                                                rangeFix: "use 10ms to 10s; typical values are 50ms to 500ms") {
                configuration.framing.interCharacterTimeout = timeout
            }
            if let window = try table.duration("duplicate_window", fix: "use 0 to keep every scan, or e.g. 1500ms") {
                configuration.duplicateWindow = window == .zero ? nil : window
            }
            try table.finish(known: ["name", "type", "path", "baud", "terminator", "inter_char_timeout", "duplicate_window"])
            return .serial(configuration)
        case let other:
            throw ConfigError(key: table.key("type"), value: other, problem: other == nil ? "is missing" : "is not a scanner type",
                              fix: "use serial (a USB scanner in serial/CDC mode, or any tty) or terminal (typed codes)")
        }
    }
}
