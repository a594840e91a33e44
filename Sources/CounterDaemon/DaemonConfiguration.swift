import CounterCore
import CounterAPI
import CounterLedger
import CounterReceipts
import CounterScan
import Foundation
import Logging

/// Everything counterd needs to start, resolved and validated. Documented key by key in docs/configuration.md.
public struct DaemonConfiguration: Sendable, Equatable {
    /// Who this counter is, when the file says so; an enrolled counter takes it from its credential.
    public var identity: DeviceIdentity?
    public var timeZone: TimeZone
    /// Holds the ledger (`ledger.sqlite`) and, later, the device credential.
    public var stateDirectory: String
    public var api: APIListeners
    /// How long after a redemption the cashier may void it on this counter.
    public var voidWindow: Duration
    /// Load demo campaigns, codes and a demo signing key into an empty ledger.
    public var loadDemoData: Bool
    public var logLevel: Logger.Level
    public var scanners: [ScannerConfiguration]

    /// How often the feed is polled when the counter is enrolled.
    public var syncPollInterval: Duration = .seconds(60)
    /// How old the device token may grow before counterd rotates it (`hub.token_rotation`); zero never rotates.
    public var tokenRotation: Duration = HubSection.defaultTokenRotation

    /// How long a staff member stays signed in on the cashier's page without a request (`staff.session_idle`).
    public var staffSessionIdle: Duration = StaffSection.defaultSessionIdle

    /// When the day close (日结) runs, in the shop's time zone (`shifts.day_close`); `nil` for never.
    public var dayClose: TimeOfDay? = ShiftsSection.defaultDayClose

    /// The receipt printer; off unless the file has a `printer:` section.
    public var printer: PrinterConfiguration = .off
    /// USB scanners found by profile.
    public var usbScanners = USBScannerConfiguration()
    /// Where printer profiles are looked up (see ``PrinterProfiles/directories(extra:environment:)``).
    public var printerProfileDirectories: [String] = PrinterProfiles.directories()

    public init(identity: DeviceIdentity?, timeZone: TimeZone, stateDirectory: String, api: APIListeners,
                voidWindow: Duration = .seconds(600), loadDemoData: Bool = false, logLevel: Logger.Level = .info,
                scanners: [ScannerConfiguration] = []) {
        self.identity = identity
        self.timeZone = timeZone
        self.stateDirectory = stateDirectory
        self.api = api
        self.voidWindow = voidWindow
        self.loadDemoData = loadDemoData
        self.logLevel = logLevel
        self.scanners = scanners
    }

    /// The ledger file inside the state directory.
    public var ledgerPath: String { (stateDirectory as NSString).appendingPathComponent("ledger.sqlite") }

    /// Whether a terminal source is configured (then verdicts are also printed to standard output).
    public var hasTerminalSource: Bool {
        scanners.contains { if case .terminal = $0 { true } else { false } }
    }
}

/// One configured scan source.
public enum ScannerConfiguration: Sendable, Equatable {
    case terminal(name: String)
    case serial(SerialScanSource.Configuration)

    public var name: String {
        switch self {
        case .terminal(let name): return name
        case .serial(let configuration): return configuration.name
        }
    }
}
