/// One USB device as the kernel shows it in sysfs: identity, strings, and the device nodes of its interfaces.
public struct USBDevice: Sendable, Hashable, Codable {
    /// The kernel's name for the device's place on the bus (`1-1.4`: bus 1, port 1, then port 4).
    /// Stable while the device stays in the same port; it is the device's key everywhere in counterd.
    public var id: String
    public var vendorID: UInt16
    public var productID: UInt16
    public var manufacturer: String?
    public var product: String?
    public var serial: String?
    public var interfaces: [USBInterface]

    public init(id: String, vendorID: UInt16, productID: UInt16, manufacturer: String? = nil, product: String? = nil,
                serial: String? = nil, interfaces: [USBInterface] = []) {
        self.id = id
        self.vendorID = vendorID
        self.productID = productID
        self.manufacturer = manufacturer
        self.product = product
        self.serial = serial
        self.interfaces = interfaces
    }

    /// `vvvv:pppp` in lower-case hex, as `lsusb` prints it.
    public var vendorProduct: String { "\(USBDevice.hex(vendorID)):\(USBDevice.hex(productID))" }

    /// All device nodes of all interfaces.
    public var nodes: [DeviceNode] { interfaces.flatMap(\.nodes) }

    /// Four lower-case hex digits.
    public static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

/// One interface of a USB device and the nodes its kernel driver made for it.
public struct USBInterface: Sendable, Hashable, Codable {
    public var number: Int
    /// bInterfaceClass: 3 is HID, 2 and 10 are CDC (serial).
    public var interfaceClass: Int
    public var nodes: [DeviceNode]

    public init(number: Int, interfaceClass: Int, nodes: [DeviceNode]) {
        self.number = number
        self.interfaceClass = interfaceClass
        self.nodes = nodes
    }
}

/// A device node a scanner can be read through.
public struct DeviceNode: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// An evdev node (`/dev/input/eventN`), what a keyboard-wedge scanner gives.
        case input
        /// A raw HID node (`/dev/hidrawN`), for HID POS reports.
        case hidraw
        /// A tty (`/dev/ttyACMN`), for USB serial (CDC-ACM).
        case tty
    }

    public var kind: Kind
    /// The path in /dev.
    public var path: String

    public init(kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }
}
