import CounterCore
import CounterPrint
import CounterProfiles
import Foundation

/// The `printer:` section: where receipts go and how the printer is driven.
public struct PrinterConfiguration: Sendable, Equatable {
    /// Print a receipt for every redemption and void.
    public var enabled: Bool
    /// The CUPS queue; `nil` prints to the CUPS default destination.
    public var destination: String?
    /// The printer profile (drivers/printers/FAMILY/ID.json).
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

/// Finds printer profiles by id in the profile directories, through the loader scanner profiles share
/// (``ProfileCatalog``): `DIRECTORY/FAMILY/ID.json`, and `DIRECTORY/ID.json` as local directories had it before.
public enum PrinterProfiles {
    /// Where profiles are looked for, in order: `extra` (`printer.profiles_directory`), `$COUNTERD_PRINTER_PROFILES`,
    /// the package's /usr/share/counterd/printers, and drivers/printers of a source tree above the executable.
    public static func directories(extra: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        ProfileDirectories.search("printers", variable: "COUNTERD_PRINTER_PROFILES", extra: extra, environment: environment)
    }

    /// Every profile file in `directories`, usable or not, in the order they are searched.
    public static func catalog(in directories: [String]) -> ProfileCatalog<PrinterProfile> {
        ProfileCatalog<PrinterProfile>.load(from: directories)
    }

    /// The profile `id`: the first file in `directories` holding that id (else the first named `ID.json`), else a
    /// built-in generic profile.
    /// - Throws: ``ConfigError`` listing the ids that exist, or naming the file with that id that cannot be used.
    public static func find(_ id: String, in directories: [String], key: String = "printer.profile") throws -> PrinterProfile {
        // An id names a file: nothing that could leave the profile directories (`../`, `/`) is looked up.
        guard ProfileID.isValid(id) else {
            throw ConfigError(key: key, value: id, problem: "is not a profile id (a-z, 0-9, then up to 63 of a-z 0-9 . _ -)",
                              fix: "use one of \(knownIDs(in: directories).joined(separator: ", "))")
        }
        let loaded = catalog(in: directories)
        // By the id a file holds; else, as before the loader was shared, by its file name (a local `shop.json`
        // whose id says otherwise).
        if let entry = loaded.entries.first(where: { $0.id == id }) ?? loaded.entries.first(where: { $0.fileID == id }) {
            if let profile = entry.profile { return profile }
            throw ConfigError(key: key, value: id,
                              problem: "has a profile file that cannot be read (\(entry.path): \(entry.problem ?? "unknown problem"))",
                              fix: "check the file against drivers/printers/README.md")
        }
        if let builtIn = [PrinterProfile.generic58, .generic80].first(where: { $0.id == id }) { return builtIn }
        throw ConfigError(key: key, value: id, problem: "is not a known printer profile",
                          fix: "use one of \(knownIDs(in: directories, catalog: loaded).joined(separator: ", "))")
    }

    /// Every profile id in `directories` (a broken file counts by its name), and the built-in ones.
    public static func knownIDs(in directories: [String]) -> [String] {
        knownIDs(in: directories, catalog: catalog(in: directories))
    }

    private static func knownIDs(in directories: [String], catalog: ProfileCatalog<PrinterProfile>) -> [String] {
        (Set(["generic-58", "generic-80"]).union(catalog.entries.map(\.id)).union(catalog.entries.map(\.fileID))).sorted()
    }
}
