import CounterScan
import CounterUSB
import Foundation
import Logging
import Testing

/// Recorded scanner traffic replayed through the real decoders: the manager finds the fake device by its
/// profile, opens its node (a pipe here), and the keyboard, HID POS or serial decoding turns the stream
/// into scans.
@Suite struct ScannerFixtureTests {
    static let keyboard = ScannerProfile(
        id: "test-keyboard", name: "test keyboard scanner", family: "test",
        match: .init(vendorID: "1eab", productID: "1303"), transport: .keyboard,
        framing: .init(terminator: .cr, interCharacterTimeoutMS: 150), duplicateWindowMS: 0, keyboardLayout: "us")
    static let hidPOS = ScannerProfile(
        id: "test-hidpos", name: "test HID POS scanner", family: "test",
        match: .init(vendorID: "1eab", productID: "1310"), transport: .hidPOS,
        framing: .init(terminator: .none, interCharacterTimeoutMS: 150), duplicateWindowMS: 0)
    static let serial = ScannerProfile(
        id: "test-serial", name: "test serial scanner", family: "test",
        match: .init(vendorID: "1eab", productID: "1306"), transport: .serial,
        framing: .init(terminator: .cr, interCharacterTimeoutMS: 150), duplicateWindowMS: 0, baud: 9600)

    /// Replays `fixture` through a device matched by `profile` and returns the scans that came out.
    func replay(_ fixture: String, profile: ScannerProfile, expecting count: Int,
                unplugAfter: Bool = false) async throws -> [ScanEvent] {
        let kind: DeviceNode.Kind = profile.transport == .keyboard ? .input : profile.transport == .hidPOS ? .hidraw : .tty
        let path = "/dev/fake/\(fixture)"
        let device = USBDevice.fake(port: "1-1", vendorProduct: "\(profile.match.vendorID!):\(profile.match.productID!)",
                                    nodes: [DeviceNode(kind: kind, path: path)])
        let source = FakeUSBSource()
        let opener = PipeNodeOpener()
        let registry = ScannerRegistry()
        let manager = ScannerManager(source: source, profiles: ScannerProfiles(profiles: [profile]), registry: registry,
                                     opener: opener, logger: Logger(label: "test"))
        let collector = ScanCollector()
        let task = Task { await manager.run { collector.append($0) } }
        defer { task.cancel(); source.finish() }
        source.present([device])
        try await opener.write(try Fixture.bytes(fixture), to: path)
        if unplugAfter { opener.unplug(path) }
        try await collector.wait(for: count)
        try await Task.sleep(for: .milliseconds(250)) // nothing more may arrive
        #expect(collector.all.allSatisfy { $0.source == "\(profile.id)@1-1" })
        return collector.all
    }

    @Test func wedgeUpperAndLowerCase() async throws {
        let scans = try await replay("wedge-mixed-case.evdev", profile: Self.keyboard, expecting: 2)
        #expect(scans.map(\.text) == ["DEMO-0001", "Hello-World_42"])
        #expect(scans.allSatisfy { $0.completion == .complete })
    }

    @Test func wedgeKeypadDigitsWithKeypadEnter() async throws {
        let scans = try await replay("wedge-keypad.evdev", profile: Self.keyboard, expecting: 1)
        #expect(scans.map(\.text) == ["0123456789"])
    }

    @Test func wedgeShiftedSymbols() async throws {
        let scans = try await replay("wedge-symbols.evdev", profile: Self.keyboard, expecting: 1)
        #expect(scans.map(\.text) == ["!@#$%^&*()[]{};:'\",.<>/?=+\\|`~"])
    }

    @Test func wedgeCapsLockIsTrackedByTheDecoder() async throws {
        let scans = try await replay("wedge-capslock.evdev", profile: Self.keyboard, expecting: 1)
        #expect(scans.map(\.text) == ["CARD_0010"])
    }

    @Test func wedgeAltKeypadCodesAreMarkedUndecodable() async throws {
        let scans = try await replay("wedge-chinese-alt.evdev", profile: Self.keyboard, expecting: 1)
        let text = try #require(scans.first?.text)
        // The Chinese part cannot be recovered from keys: it is marked, so canonicalization rejects the scan.
        #expect(text.hasPrefix("\u{FFFD}"))
        #expect(text.hasSuffix(":DEMO-0001"))
    }

    @Test func wedgeLayoutIsConfigurable() async throws {
        var azerty = Self.keyboard
        azerty.keyboardLayout = "fr"
        #expect(try await replay("wedge-azerty-digits.evdev", profile: azerty, expecting: 1).map(\.text) == ["0123"])
        // Decoded with the wrong layout, the digits become symbols: the classic AZERTY complaint.
        #expect(try await replay("wedge-azerty-digits.evdev", profile: Self.keyboard, expecting: 1).map(\.text) == [")!@#"])
    }

    @Test func wedgeHalfScanThenSilenceIsIncomplete() async throws {
        let scans = try await replay("wedge-half.evdev", profile: Self.keyboard, expecting: 1)
        #expect(scans == [ScanEvent(source: scans[0].source, bytes: Array("DEMO-00".utf8), completion: .incomplete,
                                    receivedAt: scans[0].receivedAt)])
    }

    @Test func wedgeDeviceVanishingMidScanReportsTheCutOffScan() async throws {
        let scans = try await replay("wedge-half.evdev", profile: Self.keyboard, expecting: 1, unplugAfter: true)
        #expect(scans.map(\.completion) == [.incomplete])
    }

    @Test func hidPOSSingleReport() async throws {
        let scans = try await replay("hidpos-single.hidraw", profile: Self.hidPOS, expecting: 1)
        #expect(scans.map(\.text) == ["DEMO-0001"])
    }

    @Test func hidPOSScanContinuedOverReports() async throws {
        let scans = try await replay("hidpos-continued.hidraw", profile: Self.hidPOS, expecting: 1)
        #expect(scans.map(\.text) == ["CARD-" + String(repeating: "0123456789", count: 12)])
        #expect(scans.first?.completion == .complete)
    }

    @Test func hidPOSBinaryBytesPassUnchangedAndOtherReportsAreIgnored() async throws {
        let scans = try await replay("hidpos-binary.hidraw", profile: Self.hidPOS, expecting: 2)
        #expect(scans.map(\.bytes) == [[0x00, 0x01, 0x0D, 0x1D, 0xFF] + Array("核销".utf8), Array("DEMO-0002".utf8)])
    }

    @Test func hidPOSMissingContinuationIsIncomplete() async throws {
        let scans = try await replay("hidpos-half.hidraw", profile: Self.hidPOS, expecting: 1)
        #expect(scans.map(\.completion) == [.incomplete])
        #expect(scans.first?.bytes.count == 56)
    }

    @Test func serialScans() async throws {
        let scans = try await replay("serial-cr.bin", profile: Self.serial, expecting: 2)
        #expect(scans.map(\.text) == ["DEMO-0001", "CARD-0010"])
    }

    @Test func serialFourKilobyteScanArrivesWhole() async throws {
        let scans = try await replay("serial-4k.bin", profile: Self.serial, expecting: 1)
        #expect(scans.first?.bytes.count == 4096)
        #expect(scans.first?.completion == .complete)
    }

    @Test func serialBinaryBytesArriveAsOneScan() async throws {
        let scans = try await replay("serial-binary.bin", profile: Self.serial, expecting: 1)
        // Every byte but the terminator arrives; the redeemer then rejects the scan as malformed.
        #expect(scans.first?.bytes == (0...255).filter { $0 != 0x0D }.map(UInt8.init))
    }
}
