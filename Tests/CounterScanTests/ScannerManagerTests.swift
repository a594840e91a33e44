@testable import CounterScan
import CounterTestSupport
import CounterUSB
import Foundation
import Logging
import NIOCore
import Testing

/// The hotplug logic against a fake enumerator: devices arrive, leave and come back; several at once.
@Suite struct ScannerManagerTests {
    let source = FakeUSBSource()
    let opener = PipeNodeOpener()
    let registry = ScannerRegistry()
    let collector = ScanCollector()

    func start(_ profiles: [ScannerProfile] = [ScannerFixtureTests.keyboard, ScannerFixtureTests.hidPOS],
               settleTime: Duration = .milliseconds(100)) -> Task<Void, Never> {
        let manager = ScannerManager(source: source, profiles: ScannerProfiles(profiles: profiles), registry: registry,
                                     opener: opener, logger: Logger(label: "test"), retryDelay: .milliseconds(50),
                                     settleTime: settleTime)
        let collector = self.collector
        return Task { await manager.run { collector.append($0) } }
    }

    let wedge = USBDevice.fake(port: "1-1", vendorProduct: "1eab:1303", product: "Newland EM3096",
                               nodes: [DeviceNode(kind: .input, path: "/dev/input/event7"), DeviceNode(kind: .input, path: "/dev/input/event8")])
    let hidPOS = USBDevice.fake(port: "1-2", vendorProduct: "1eab:1310", nodes: [DeviceNode(kind: .hidraw, path: "/dev/hidraw3")])

    /// Waits until `condition` holds for the registry (at most 15 s: the suite runs in parallel on 2 cores).
    func eventually(_ condition: @escaping @Sendable ([ScannerStatus]) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if condition(await registry.all()) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("condition not met; registry: \(await registry.all())")
    }

    @Test func attachDetachAndReattachAreReportedAndEveryScanArrivesOnce() async throws {
        let events = await registry.events()
        let task = start()
        defer { task.cancel(); source.finish() }
        source.present([wedge])
        try await eventually { $0.first?.state == .reading }
        // Both event nodes of the device are opened (a scanner often has a keys and a consumer-keys node).
        #expect(opener.openCount("/dev/input/event7") == 1 && opener.openCount("/dev/input/event8") == 1)
        try await opener.write(try Fixture.bytes("wedge-mixed-case.evdev"), to: "/dev/input/event7")
        try await collector.wait(for: 2)

        source.present([])
        try await eventually { $0.first?.state == .detached }
        source.present([wedge])
        try await eventually { $0.first?.state == .reading && opener.openCount("/dev/input/event7") == 2 }
        try await opener.write(try Fixture.bytes("wedge-keypad.evdev"), to: "/dev/input/event7")
        try await collector.wait(for: 3)
        try await Task.sleep(for: .milliseconds(200))

        #expect(collector.all.map(\.text) == ["DEMO-0001", "Hello-World_42", "0123456789"])
        let status = try #require(await registry.all().first)
        #expect(status.id == "usb:1-1" && status.profile == "test-keyboard" && status.scans == 3 && status.lastScanAt != nil)
        var kinds: [DeviceEvent.Kind] = []
        for await event in events {
            kinds.append(event.kind)
            if kinds.count == 3 { break }
        }
        #expect(kinds == [.attached, .detached, .attached])
    }

    @Test func twoScannersInterleavingEachDeliverTheirOwnScans() async throws {
        let task = start()
        defer { task.cancel(); source.finish() }
        source.present([wedge, hidPOS])
        try await eventually { $0.count == 2 && $0.allSatisfy { $0.state == .reading } }
        let keys = try Fixture.bytes("wedge-mixed-case.evdev")
        let reports = try Fixture.bytes("hidpos-continued.hidraw")
        // Interleave the two streams in small pieces.
        for index in stride(from: 0, to: max(keys.count, reports.count), by: 48) {
            if index < keys.count { try await opener.write(Array(keys[index..<min(index + 48, keys.count)]), to: "/dev/input/event7") }
            if index < reports.count { try await opener.write(Array(reports[index..<min(index + 48, reports.count)]), to: "/dev/hidraw3") }
        }
        try await collector.wait(for: 3)
        try await Task.sleep(for: .milliseconds(200))
        let bySource = Dictionary(grouping: collector.all, by: \.source).mapValues { $0.map(\.text) }
        #expect(bySource["test-keyboard@1-1"] == ["DEMO-0001", "Hello-World_42"])
        #expect(bySource["test-hidpos@1-2"] == ["CARD-" + String(repeating: "0123456789", count: 12)])
    }

    @Test func aReadEndingInENODEVIsAnUnplugNotAFailure() {
        #expect(ScannerManager.meansUnplugged(IOError(errnoCode: ENODEV, reason: "read(descriptor:pointer:size:)")))
        #expect(ScannerManager.meansUnplugged(IOError(errnoCode: ENXIO, reason: "read")))
        #expect(!ScannerManager.meansUnplugged(IOError(errnoCode: EIO, reason: "read")))
        #expect(!ScannerManager.meansUnplugged(DeviceOpenError(path: "/dev/input/event3", errno: ENODEV, transport: .keyboard)))
    }

    @Test func aScannerWhoseNodeComesAMomentAfterItIsListedShowsNoError() async throws {
        let events = await registry.events()
        let task = start(settleTime: .seconds(10))
        defer { task.cancel(); source.finish() }
        var bare = hidPOS
        bare.interfaces = bare.interfaces.map { var interface = $0; interface.nodes = []; return interface }
        opener.deny("/dev/hidraw3")           // and when the node comes, udev has not given it to the group yet
        source.present([bare])                // replugged: listed before usbhid made the node
        try await Task.sleep(for: .milliseconds(300))
        source.present([hidPOS])
        try await Task.sleep(for: .milliseconds(300))
        opener.deny("/dev/hidraw3", false)    // udev applied the rules
        try await eventually { $0.first?.state == .reading }
        var kinds: [DeviceEvent.Kind] = []
        for await event in events {
            kinds.append(event.kind)
            if event.kind == .attached { break }
        }
        #expect(kinds == [.attached], "no error event while the device settles")
        #expect(ScannerManager.mayBeSettling(DeviceOpenError(path: "/dev/hidraw3", errno: EACCES, transport: .hidPOS)))
        #expect(!ScannerManager.mayBeSettling(DeviceOpenError(path: "/dev/hidraw3", errno: EBUSY, transport: .hidPOS)))
    }

    @Test func permissionDeniedIsShownWithTheFixAndRetriedUntilItWorks() async throws {
        opener.deny("/dev/hidraw3")
        let task = start()
        defer { task.cancel(); source.finish() }
        source.present([hidPOS])
        try await eventually { $0.first?.state == .error }
        let status = try #require(await registry.all().first)
        #expect(status.permissionDenied)
        #expect(status.problem?.contains("permission denied") == true)
        #expect(status.fix?.contains("udev-rules") == true && status.fix?.contains("counterd group") == true)

        opener.deny("/dev/hidraw3", false) // the technician installed the rules
        try await eventually { $0.first?.state == .reading }
        try await opener.write(try Fixture.bytes("hidpos-single.hidraw"), to: "/dev/hidraw3")
        try await collector.wait(for: 1)
        #expect(collector.all.map(\.text) == ["DEMO-0001"])
    }

    @Test func aDeviceWithoutItsNodeSaysWhichModeIsMissing() async throws {
        let task = start()
        defer { task.cancel(); source.finish() }
        // HID POS profile, but the scanner shows only a keyboard node: the kernel made no hidraw for it.
        source.present([USBDevice.fake(port: "1-2", vendorProduct: "1eab:1310", nodes: [])])
        try await eventually { $0.first?.state == .error }
        #expect(await registry.all().first?.fix?.contains("HID POS mode") == true)
    }

    @Test func unmatchedHIDDevicesAreListedAndOthersIgnored() async throws {
        let task = start()
        defer { task.cancel(); source.finish() }
        let unknownHID = USBDevice.fake(port: "1-3", vendorProduct: "abcd:0001", product: "Mystery Reader", nodes: [])
        let storage = USBDevice.fake(port: "1-4", vendorProduct: "0781:5567", interfaceClass: 8, nodes: [])
        source.present([unknownHID, storage])
        let deadline = ContinuousClock.now + .seconds(15)
        while await registry.unmatchedDevices().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await registry.unmatchedDevices() == [UnmatchedDevice(id: "1-3", vendorProduct: "abcd:0001", product: "Mystery Reader")])
        #expect(await registry.all().isEmpty)
    }

    @Test func aVendorProfileWinsOverTheGenericOne() {
        let generic = ScannerProfile(id: "generic", name: "generic", family: "generic",
                                     match: .init(productContains: ["scanner"]), transport: .keyboard,
                                     framing: .init(terminator: .cr, interCharacterTimeoutMS: 200))
        let profiles = ScannerProfiles(profiles: [generic, ScannerFixtureTests.keyboard])
        #expect(profiles.match(vendorProduct: "1eab:1303", strings: ["Barcode Scanner"])?.id == "test-keyboard")
        #expect(profiles.match(vendorProduct: "9999:0001", strings: ["USB Barcode SCANNER"])?.id == "generic")
        #expect(profiles.match(vendorProduct: "9999:0001", strings: ["USB Keyboard"]) == nil)
        // By word, only a device with the interface class the transport reads.
        let fingerprint = USBDevice.fake(port: "1-5", vendorProduct: "9999:0002", product: "Fingerprint Scanner",
                                         interfaceClass: 255, nodes: [])
        #expect(profiles.match(fingerprint) == nil)
        let hid = USBDevice.fake(port: "1-6", vendorProduct: "9999:0003", product: "2D Barcode Scanner", nodes: [])
        #expect(profiles.match(hid)?.id == "generic")
    }
}

@Suite struct ClaimedPathTests {
    @Test func aDeviceWhoseTtyIsConfiguredIsNotOpenedTwice() async throws {
        let source = FakeUSBSource()
        let opener = PipeNodeOpener()
        let registry = ScannerRegistry()
        let temporary = try TemporaryDirectory("claimed")
        defer { temporary.remove() }
        let directory = URL(fileURLWithPath: temporary.path)
        // The configuration names the tty by a link, as /dev/serial/by-id/… does.
        let tty = directory.appendingPathComponent("ttyACM0")
        #expect(FileManager.default.createFile(atPath: tty.path, contents: nil))
        let link = directory.appendingPathComponent("usb-Newland-if00")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: tty)
        let manager = ScannerManager(source: source, profiles: ScannerProfiles(profiles: [ScannerFixtureTests.serial]),
                                     registry: registry, opener: opener, logger: Logger(label: "test"), claimedPaths: [link.path])
        let task = Task { await manager.run { _ in } }
        defer { task.cancel(); source.finish() }
        let claimed = USBDevice.fake(port: "1-1", vendorProduct: "1eab:1306", interfaceClass: 2,
                                     nodes: [DeviceNode(kind: .tty, path: tty.path)])
        let free = USBDevice.fake(port: "1-2", vendorProduct: "1eab:1306", interfaceClass: 2,
                                  nodes: [DeviceNode(kind: .tty, path: "/dev/ttyACM1")])
        source.present([claimed, free])
        let deadline = ContinuousClock.now + .seconds(15)
        while await registry.all().isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(await registry.all().map(\.id) == ["usb:1-2"])
        #expect(opener.openCount(tty.path) == 0)
    }
}
