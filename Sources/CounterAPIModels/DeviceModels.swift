import Foundation

/// `GET /api/v1/devices`: every scanner and the printer, with state and what to do about problems.
public struct DevicesResponse: Codable, Sendable, Equatable {
    public var scanners: [ScannerInfo]
    /// USB devices with a HID or serial interface that no scanner profile matched.
    public var unmatched: [UnmatchedUSBDevice]
    /// How counterd learns of USB changes: `hotplug`, `rescan` (with the reason libusb is not used),
    /// `no_usb` (this kernel has none) or `off` (`usb_scanners.enabled: false`).
    public var usbMonitor: String
    public var usbMonitorDetail: String?
    /// The receipt printer; `nil` when printing is off.
    public var printer: PrinterInfo?

    public init(scanners: [ScannerInfo], unmatched: [UnmatchedUSBDevice], usbMonitor: String, usbMonitorDetail: String? = nil,
                printer: PrinterInfo?) {
        self.scanners = scanners
        self.unmatched = unmatched
        self.usbMonitor = usbMonitor
        self.usbMonitorDetail = usbMonitorDetail
        self.printer = printer
    }

    /// One scanner: a matched USB device or a configured source.
    public struct ScannerInfo: Codable, Sendable, Equatable {
        /// `usb:PORT` for USB devices, the configured name otherwise.
        public var id: String
        /// The source name scans and redemptions carry.
        public var source: String
        /// `keyboard`, `hid_pos`, `serial` or `terminal`.
        public var transport: String
        public var profile: String?
        public var vendorProduct: String?
        public var product: String?
        public var nodes: [String]
        /// `reading`, `error` or `detached`.
        public var state: String
        public var problem: String?
        public var fix: String?
        public var permissionDenied: Bool
        public var lastScanAt: Date?
        public var scans: Int

        public init(id: String, source: String, transport: String, profile: String?, vendorProduct: String?, product: String?,
                    nodes: [String], state: String, problem: String?, fix: String?, permissionDenied: Bool,
                    lastScanAt: Date?, scans: Int) {
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

    public struct UnmatchedUSBDevice: Codable, Sendable, Equatable {
        public var port: String
        public var vendorProduct: String
        public var product: String?

        public init(port: String, vendorProduct: String, product: String?) {
            self.port = port
            self.vendorProduct = vendorProduct
            self.product = product
        }
    }

    /// The configured receipt printer and its queue.
    public struct PrinterInfo: Codable, Sendable, Equatable {
        /// The CUPS queue (`nil`: the CUPS default).
        public var destination: String?
        public var profile: String
        /// `ready` (nothing waiting), `printing` (receipts waiting) or `failing` (the last attempt failed).
        public var state: String
        public var problem: String?

        public init(destination: String?, profile: String, state: String, problem: String?) {
            self.destination = destination
            self.profile = profile
            self.state = state
            self.problem = problem
        }
    }
}
