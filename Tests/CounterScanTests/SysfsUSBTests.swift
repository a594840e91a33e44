import CounterTestSupport
import CounterUSB
import Foundation
import Testing

/// The sysfs map against a tree laid out as the kernel lays it out (with its loops of symbolic links).
@Suite struct SysfsUSBTests {
    /// A keyboard-and-HID-POS scanner at 1-1.4 (two HID interfaces) and a CDC scanner at 2-1.
    func makeTree() throws -> SysfsTree {
        try SysfsTree([
            .init(port: "1-1.4", vendorProduct: "0c2e:0b81", product: "Honeywell 1400g",
                  manufacturer: "Honeywell Imaging & Mobility", serial: "17123B0A12",
                  interfaces: [(3, ["event5", "hidraw0"]), (3, ["hidraw1"])]),
            .init(port: "2-1", vendorProduct: "1eab:1306", interfaces: [(2, ["ttyACM0"])]),
        ])
    }

    @Test func mapsEachDeviceToItsNodesAndSkipsRootHubs() throws {
        let tree = try makeTree()
        defer { tree.remove() }
        let sysfs = SysfsUSB(sysfsRoot: tree.root)
        #expect(sysfs.hasUSB)
        let devices = sysfs.devices()
        #expect(devices.map(\.id) == ["1-1.4", "2-1"])
        let scanner = devices[0]
        #expect(scanner.vendorProduct == "0c2e:0b81" && scanner.product == "Honeywell 1400g" && scanner.serial == "17123B0A12")
        #expect(scanner.manufacturer == "Honeywell Imaging & Mobility")
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
        let tree = try makeTree()
        defer { tree.remove() }
        let monitor = USBDeviceMonitor(sysfs: SysfsUSB(sysfsRoot: tree.root), rescanInterval: .milliseconds(50))
        var iterator = monitor.snapshots().makeAsyncIterator()
        #expect(await iterator.next()?.map(\.id) == ["1-1.4", "2-1"])
        try tree.unplug("2-1")
        #expect(await iterator.next()?.map(\.id) == ["1-1.4"])
    }
}
