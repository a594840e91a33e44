import CounterCore
import Foundation

/// The `usb_scanners:` section: finding USB scanners by their profiles.
public struct USBScannerConfiguration: Sendable, Equatable {
    /// Watch USB and read every scanner a profile matches (on unless the file turns it off).
    public var enabled: Bool
    /// How often sysfs is rescanned, besides libusb hotplug.
    public var rescanInterval: Duration
    /// Where scanner profiles are looked up (see ``directories(extra:environment:)``).
    public var profileDirectories: [String]
    /// The shop's own profiles (`usb_scanners.profiles_directory`), searched first; `nil` when not configured.
    public var localProfilesDirectory: String?

    public init(enabled: Bool = true, rescanInterval: Duration = .seconds(2),
                profileDirectories: [String] = USBScannerConfiguration.directories()) {
        self.enabled = enabled
        self.rescanInterval = rescanInterval
        self.profileDirectories = profileDirectories
    }

    /// In order: `extra`, `$COUNTERD_SCANNER_PROFILES`, /usr/share/counterd/scanners, and drivers/scanners
    /// of a source tree above the executable.
    public static func directories(extra: String? = nil,
                                   environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        ProfileDirectories.search("scanners", variable: "COUNTERD_SCANNER_PROFILES", extra: extra, environment: environment)
    }

    /// The keys of the `usb_scanners:` section.
    static let configKeys: [ConfigKey] = [.trueFalse("enabled"), .duration("rescan_interval"), .text("profiles_directory")]

    /// Reads the `usb_scanners:` section; what it leaves out keeps the defaults.
    static func parse(_ table: inout ConfigTable, environment: [String: String]) throws -> USBScannerConfiguration {
        var usbScanners = USBScannerConfiguration(profileDirectories: directories(environment: environment))
        usbScanners.enabled = try table.bool("enabled") ?? true
        if let interval = try table.duration("rescan_interval", fix: "the default is 2s",
                                             within: .milliseconds(200) ... .seconds(60),
                                             rangeFix: "use 200ms to 60s; the default is 2s (hotplug events come at once anyway)") {
            usbScanners.rescanInterval = interval
        }
        let extra = try table.string("profiles_directory", fix: "write a directory holding FAMILY/*.json profile files")
        usbScanners.profileDirectories = directories(extra: extra, environment: environment)
        usbScanners.localProfilesDirectory = extra
        try table.finish(configKeys)
        return usbScanners
    }
}
