import Foundation

/// One scanner as `counterctl devices` shows it: a matched USB device, or a configured source.
public struct ScannerStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        /// Open and read (exclusively, for keyboard scanners).
        case reading
        /// Present but not readable; `problem` and `fix` say why.
        case error
        /// Was attached and went away.
        case detached
    }

    /// `usb:1-1.4` for USB devices (the port), the configured name for configured sources.
    public var id: String
    /// The name scans carry as their source (and redemptions as where they were made).
    public var source: String
    /// `keyboard`, `hid_pos`, `serial` or `terminal`.
    public var transport: String
    public var profile: String?
    public var vendorProduct: String?
    public var product: String?
    public var nodes: [String]
    public var state: State
    public var problem: String?
    public var fix: String?
    /// Whether the problem is access rights (fix: the udev rules and the group).
    public var permissionDenied: Bool
    public var lastScanAt: Date?
    public var scans: Int

    public init(id: String, source: String, transport: String, profile: String? = nil, vendorProduct: String? = nil,
                product: String? = nil, nodes: [String] = [], state: State, problem: String? = nil, fix: String? = nil,
                permissionDenied: Bool = false, lastScanAt: Date? = nil, scans: Int = 0) {
        self.id = id
        self.source = source
        self.transport = transport
        self.profile = profile
        self.vendorProduct = vendorProduct
        self.product = product
        self.nodes = nodes
        self.state = state
        self.problem = problem
        self.fix = fix
        self.permissionDenied = permissionDenied
        self.lastScanAt = lastScanAt
        self.scans = scans
    }
}

/// A USB device with a HID or serial interface that no profile matched (it might be a scanner).
public struct UnmatchedDevice: Sendable, Codable, Equatable {
    public var id: String
    public var vendorProduct: String
    public var product: String?

    public init(id: String, vendorProduct: String, product: String?) {
        self.id = id
        self.vendorProduct = vendorProduct
        self.product = product
    }
}

/// A device event on the UnifiedPOS model: a scanner arrived, left, or failed.
public struct DeviceEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case attached, detached, error
    }

    public var kind: Kind
    /// The ``ScannerStatus/id``.
    public var device: String
    public var source: String
    public var message: String?
    public var at: Date

    public init(kind: Kind, device: String, source: String, message: String? = nil, at: Date = Date()) {
        self.kind = kind
        self.device = device
        self.source = source
        self.message = message
        self.at = at
    }
}
