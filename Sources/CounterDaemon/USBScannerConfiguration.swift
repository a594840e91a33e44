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
}
