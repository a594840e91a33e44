import Foundation

/// A sysfs tree laid out as the kernel lays out USB devices (`/sys/bus/usb/devices/PORT` links into
/// `/sys/devices/…`, interfaces with their hidraw, input and tty nodes, and the driver/subsystem links
/// that loop back up), for tests and benchmarks on machines without USB.
public struct SysfsTree {
    /// One device to lay out.
    public struct Device {
        public var port: String
        public var vendorProduct: String
        public var product: String?
        public var manufacturer: String?
        public var serial: String?
        /// Per interface: its class and node names (`event5`, `hidraw0`, `ttyACM0`).
        public var interfaces: [(interfaceClass: Int, nodes: [String])]

        public init(port: String, vendorProduct: String, product: String? = nil, manufacturer: String? = nil,
                    serial: String? = nil, interfaces: [(interfaceClass: Int, nodes: [String])]) {
            self.port = port
            self.vendorProduct = vendorProduct
            self.product = product
            self.manufacturer = manufacturer
            self.serial = serial
            self.interfaces = interfaces
        }
    }

    /// The tree's root, to pass as `SysfsUSB(sysfsRoot:)`.
    public let root: String

    /// Builds the tree in a new temporary directory, with a root hub `usb1` as well.
    public init(_ devices: [Device]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("sysfs-\(UUID().uuidString)").path
        let hub = root + "/devices/pci0000:00/0000:00:14.0/usb1"
        try Self.write(hub + "/idVendor", "1d6b")
        try Self.write(hub + "/idProduct", "0002")
        let bus = root + "/bus/usb/devices"
        try FileManager.default.createDirectory(atPath: bus, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bus + "/usb1", withDestinationPath: hub)
        for device in devices {
            let directory = hub + "/" + device.port
            let ids = device.vendorProduct.split(separator: ":").map(String.init)
            try Self.write(directory + "/idVendor", ids[0])
            try Self.write(directory + "/idProduct", ids[1])
            for (name, value) in [("product", device.product), ("manufacturer", device.manufacturer), ("serial", device.serial)] {
                if let value { try Self.write(directory + "/" + name, value) }
            }
            try FileManager.default.createSymbolicLink(atPath: bus + "/" + device.port, withDestinationPath: directory)
            for (number, interface) in device.interfaces.enumerated() {
                let name = "\(device.port):1.\(number)"
                let path = directory + "/" + name
                try Self.write(path + "/bInterfaceNumber", String(format: "%02x", number))
                try Self.write(path + "/bInterfaceClass", String(format: "%02x", interface.interfaceClass))
                let hid = path + "/0003:\(ids[0].uppercased()):\(ids[1].uppercased()).\(String(format: "%04X", number + 1))"
                for node in interface.nodes {
                    let nodePath = node.hasPrefix("event") ? hid + "/input/input\(number + 10)/" + node
                        : node.hasPrefix("hidraw") ? hid + "/hidraw/" + node : path + "/tty/" + node
                    try FileManager.default.createDirectory(atPath: nodePath, withIntermediateDirectories: true)
                }
                // The kernel's loops: a subsystem link and a driver link that lead back up the tree.
                try FileManager.default.createSymbolicLink(atPath: path + "/subsystem", withDestinationPath: root + "/devices")
                try FileManager.default.createSymbolicLink(atPath: path + "/driver", withDestinationPath: directory)
                try FileManager.default.createSymbolicLink(atPath: bus + "/" + name, withDestinationPath: path)
            }
        }
    }

    /// Unplugs the device at `port` (its bus entry goes away, as the kernel removes it).
    public func unplug(_ port: String) throws {
        try FileManager.default.removeItem(atPath: root + "/bus/usb/devices/" + port)
    }

    public func remove() { try? FileManager.default.removeItem(atPath: root) }

    private static func write(_ path: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
