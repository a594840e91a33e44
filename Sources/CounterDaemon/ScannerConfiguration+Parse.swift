import CounterCore
import CounterScan

extension ScannerConfiguration {
    /// The keys of a terminal entry of the `scanners:` list.
    static let terminalConfigKeys: [ConfigKey] = [.text("name"), .text("type")]
    /// The keys of a serial entry of the `scanners:` list (every key an entry may have).
    static let configKeys: [ConfigKey] = terminalConfigKeys + [
        .text("path"), .wholeNumber("baud"), .text("terminator"), .duration("inter_char_timeout"), .duration("duplicate_window"),
    ]

    /// Reads one entry of the `scanners:` list.
    static func parse(_ table: ConfigTable) throws -> ScannerConfiguration {
        var table = table
        guard let name = try table.string("name", fix: "write a short name such as front-counter"), !name.isEmpty else {
            throw ConfigError(key: table.key("name"), problem: "is missing", fix: "give the scanner a short name such as front-counter")
        }
        let type = try table.string("type", fix: "use serial or terminal")
        switch type {
        case "terminal":
            try table.finish(terminalConfigKeys)
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
            try table.finish(configKeys)
            return .serial(configuration)
        case let other:
            throw ConfigError(key: table.key("type"), value: other, problem: other == nil ? "is missing" : "is not a scanner type",
                              fix: "use serial (a USB scanner in serial/CDC mode, or any tty) or terminal (typed codes)")
        }
    }

    /// Checks the list as a whole: unique names, at most one terminal source.
    static func check(_ scanners: [ScannerConfiguration]) throws {
        let names = scanners.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ConfigError(key: "scanners", value: duplicate, problem: "has two scanners with the same name",
                              fix: "give every scanner its own name")
        }
        if scanners.filter({ if case .terminal = $0 { true } else { false } }).count > 1 {
            throw ConfigError(key: "scanners", value: "terminal", problem: "lists more than one terminal source",
                              fix: "keep one: they would all read the same standard input")
        }
    }
}
