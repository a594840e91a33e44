import CounterUSB
import Foundation
import Testing

/// The sysfs map against a tree laid out as the kernel lays it out (with its loops of symbolic links).
@Suite struct SysfsUSBTests {
    /// Builds /sys/bus/usb/devices with a keyboard-and-HID-POS scanner at 1-1.4, a CDC scanner at 2-1 and a root hub.
    func makeTree() throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sysfs-\(UUID().uuidString)").path
        let devices = root + "/devices/pci0000:00/0000:00:14.0/usb1"
        func write(_ path: String, _ text: String) throws {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        func directory(_ path: String) throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        let scanner = devices + "/1-1/1-1.4"
        try write(scanner + "/idVendor", "0c2e")
        try write(scanner + "/idProduct", "0b81")
        try write(scanner + "/manufacturer", "Honeywell Imaging & Mobility")
        try write(scanner + "/product", "Honeywell 1400g")
        try write(scanner + "/serial", "17123B0A12")
        try write(scanner + "/1-1.4:1.0/bInterfaceNumber", "00")
        try write(scanner + "/1-1.4:1.0/bInterfaceClass", "03")
        try directory(scanner + "/1-1.4:1.0/0003:0C2E:0B81.0001/input/input12/event5")
        try directory(scanner + "/1-1.4:1.0/0003:0C2E:0B81.0001/input/input12/mouse0")
        try directory(scanner + "/1-1.4:1.0/0003:0C2E:0B81.0001/hidraw/hidraw0")
        try write(scanner + "/1-1.4:1.1/bInterfaceNumber", "01")
        try write(scanner + "/1-1.4:1.1/bInterfaceClass", "03")
        try directory(scanner + "/1-1.4:1.1/0003:0C2E:0B81.0002/hidraw/hidraw1")
        // The kernel's loops: driver and subsystem links lead back up the tree.
        try FileManager.default.createSymbolicLink(atPath: scanner + "/1-1.4:1.0/subsystem", withDestinationPath: root + "/devices")
        try FileManager.default.createSymbolicLink(atPath: scanner + "/1-1.4:1.0/0003:0C2E:0B81.0001/driver", withDestinationPath: scanner)
        let cdc = root + "/devices/pci0000:00/0000:00:14.0/usb2/2-1"
        try write(cdc + "/idVendor", "1eab")
        try write(cdc + "/idProduct", "1306")
        try write(cdc + "/2-1:1.0/bInterfaceNumber", "00")
        try write(cdc + "/2-1:1.0/bInterfaceClass", "02")
        try directory(cdc + "/2-1:1.0/tty/ttyACM0")
        try write(devices + "/idVendor", "1d6b")
        try write(devices + "/idProduct", "0002")
        let bus = root + "/bus/usb/devices"
        try directory(bus)
        for (name, target) in [("1-1.4", scanner), ("1-1.4:1.0", scanner + "/1-1.4:1.0"), ("2-1", cdc), ("usb1", devices)] {
            try FileManager.default.createSymbolicLink(atPath: bus + "/" + name, withDestinationPath: target)
        }
        return root
    }

    @Test func mapsEachDeviceToItsNodesAndSkipsRootHubs() throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sysfs = SysfsUSB(sysfsRoot: root)
        #expect(sysfs.hasUSB)
        let devices = sysfs.devices()
        #expect(devices.map(\.id) == ["1-1.4", "2-1"])
        let scanner = devices[0]
        #expect(scanner.vendorProduct == "0c2e:0b81" && scanner.product == "Honeywell 1400g" && scanner.serial == "17123B0A12")
        #expect(scanner.interfaces.map(\.number) == [0, 1])
        #expect(scanner.interfaces[0].nodes == [DeviceNode(kind: .hidraw, path: "/dev/hidraw0"),
                                                DeviceNode(kind: .input, path: "/dev/input/event5")])
        #expect(scanner.interfaces[1].nodes == [DeviceNode(kind: .hidraw, path: "/dev/hidraw1")])
        #expect(devices[1].nodes == [DeviceNode(kind: .tty, path: "/dev/ttyACM0")])
        #expect(devices[1].interfaces.first?.interfaceClass == 2)
    }

    @Test func aKernelWithoutUSBHasNoDevices() {
        let sysfs = SysfsUSB(sysfsRoot: "/nonexistent-sysfs")
        #expect(!sysfs.hasUSB)
        #expect(sysfs.devices().isEmpty)
    }

    @Test func theMonitorReportsArrivalAndRemovalFromRescans() async throws {
        let root = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let monitor = USBDeviceMonitor(sysfs: SysfsUSB(sysfsRoot: root), rescanInterval: .milliseconds(50))
        var iterator = monitor.snapshots().makeAsyncIterator()
        #expect(await iterator.next()?.map(\.id) == ["1-1.4", "2-1"])
        try FileManager.default.removeItem(atPath: root + "/bus/usb/devices/2-1") // unplugged
        #expect(await iterator.next()?.map(\.id) == ["1-1.4"])
    }
}
