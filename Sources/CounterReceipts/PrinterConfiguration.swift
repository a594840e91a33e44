import CounterCore
import CounterPrint
import Foundation

/// The `printer:` section: where receipts go and how the printer is driven.
public struct PrinterConfiguration: Sendable, Equatable {
    /// Print a receipt for every redemption and void.
    public var enabled: Bool
    /// The CUPS queue; `nil` prints to the CUPS default destination.
    public var destination: String?
    /// The printer profile (drivers/printers/ID.json).
    public var profile: PrinterProfile
    /// `host:port` or a socket path; `nil` lets libcups choose (`CUPS_SERVER`, then the local socket).
    public var cupsServer: String?
    /// Open the cash drawer after a redemption receipt.
    public var kickDrawer: Bool

    public init(enabled: Bool = true, destination: String? = nil, profile: PrinterProfile = .generic58,
                cupsServer: String? = nil, kickDrawer: Bool = false) {
        self.enabled = enabled
        self.destination = destination
        self.profile = profile
        self.cupsServer = cupsServer
        self.kickDrawer = kickDrawer
    }

    /// No printing (the embedded demo without a `printer:` section).
    public static let off = PrinterConfiguration(enabled: false)
}

/// Finds printer profiles by id in the profile directories.
public enum PrinterProfiles {
    /// Where profiles are looked for, in order: `$COUNTERD_PRINTER_PROFILES`, the package's
    /// /usr/share/counterd/printers, and drivers/printers of a source tree above the executable.
    public static func directories(extra: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        ProfileDirectories.search("printers", variable: "COUNTERD_PRINTER_PROFILES", extra: extra, environment: environment)
    }

    /// The profile `id`: a file in one of `directories`, else a built-in generic profile.
    /// - Throws: ``ConfigError`` listing the ids that exist.
    public static func find(_ id: String, in directories: [String], key: String = "printer.profile") throws -> PrinterProfile {
        // An id names a file: nothing that could leave the profile directories (`../`, `/`) is looked up.
        guard ProfileID.isValid(id) else {
            throw ConfigError(key: key, value: id, problem: "is not a profile id (a-z, 0-9, then up to 63 of a-z 0-9 . _ -)",
                              fix: "use one of \(knownIDs(in: directories).joined(separator: ", "))")
        }
        for directory in directories {
            let path = (directory as NSString).appendingPathComponent("\(id).json")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                return try PrinterProfile.load(from: URL(fileURLWithPath: path))
            } catch {
                throw ConfigError(key: key, value: id, problem: "has a profile file that cannot be read (\(path): \(error))",
                                  fix: "check the file against drivers/printers/README.md")
            }
        }
        if let builtIn = [PrinterProfile.generic58, .generic80].first(where: { $0.id == id }) { return builtIn }
        throw ConfigError(key: key, value: id, problem: "is not a known printer profile",
                          fix: "use one of \(knownIDs(in: directories).joined(separator: ", "))")
    }

    /// Every profile id in `directories`, and the built-in ones.
    public static func knownIDs(in directories: [String]) -> [String] {
        var ids: Set<String> = ["generic-58", "generic-80"]
        for directory in directories {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where file.hasSuffix(".json") {
                ids.insert(String(file.dropLast(5)))
            }
        }
        return ids.sorted()
    }
}
