import CounterUSB
import Foundation
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads one matched USB scanner through its profile's transport: every evdev node (grabbed), every
/// hidraw node, or the tty. Returns or throws when the device stops delivering (unplugged, error).
struct USBScannerReader: Sendable {
    /// The device has no node of the kind its transport reads.
    struct MissingNode: Error, CustomStringConvertible {
        let kind: DeviceNode.Kind
        var problem: String { "no \(kind == .input ? "/dev/input/event" : kind == .hidraw ? "/dev/hidraw" : "/dev/ttyACM") node" }
        var fix: String {
            switch kind {
            case .input: return "the kernel's usbhid driver has not bound to the scanner: check `dmesg`"
            case .hidraw: return "the scanner is not in HID POS mode: scan its HID POS setup code (docs/scanners.md), or use its keyboard profile"
            case .tty: return "the scanner is not in USB serial mode: scan its USB COM setup code (docs/scanners.md)"
            }
        }
        var description: String { "\(problem); \(fix)" }
    }

    let device: USBDevice
    let profile: ScannerProfile
    let opener: any ScannerNodeOpener
    let logger: Logger

    /// The name scans carry: the profile and the USB port, e.g. `newland-em30xx-hidpos@1-1.4`.
    var sourceName: String { "\(profile.id)@\(device.id)" }

    var nodeKind: DeviceNode.Kind {
        switch profile.transport {
        case .keyboard: return .input
        case .hidPOS: return .hidraw
        case .serial: return .tty
        }
    }

    /// The nodes this reader opens: the profile's interface (or all), of the transport's kind.
    var nodes: [DeviceNode] {
        device.interfaces.filter { profile.match.interface == nil || $0.number == profile.match.interface }
            .flatMap(\.nodes).filter { $0.kind == nodeKind }
    }

    /// Opens the nodes, calls `opened`, then reads until any node ends.
    func read(opened: @Sendable () async -> Void, deliver: @escaping @Sendable (ScanEvent) async -> Void) async throws {
        var nodes = self.nodes
        if profile.transport == .serial { nodes = Array(nodes.prefix(1)) }
        guard !nodes.isEmpty else { throw MissingNode(kind: nodeKind) }
        let decoding = try decoding()
        var descriptors: [CInt] = []
        do {
            for node in nodes {
                switch profile.transport {
                case .keyboard: descriptors.append(try opener.openInput(node.path))
                case .hidPOS: descriptors.append(try opener.openHIDRaw(node.path))
                case .serial: descriptors.append(try opener.openSerial(node.path, baud: profile.baud ?? 9600))
                }
            }
        } catch {
            descriptors.forEach { _ = close($0) }
            throw error
        }
        await opened()
        let source = sourceName
        let window = profile.duplicateWindow
        try await withThrowingTaskGroup(of: Void.self) { group in
            for descriptor in descriptors {
                group.addTask {
                    try await DescriptorScanReader.read(descriptor: descriptor, source: source, decoding: decoding,
                                                        duplicateWindow: window, deliver: deliver)
                }
            }
            // The first node to end means the device is gone (or failing): stop reading the others.
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// The transport's decoding handlers. Checks the keyboard layout here, so a bad one fails the device
    /// with a clear error instead of failing inside the event loop.
    private func decoding() throws -> DescriptorScanReader.Decoding {
        let framing = profile.framing.scanFraming
        switch profile.transport {
        case .serial:
            return DescriptorScanReader.framing(framing)
        case .hidPOS:
            let format = profile.hidPOS ?? .standard
            let timeout = framing.interCharacterTimeout ?? .milliseconds(200)
            return { try $0.addHandler(HIDPOSHandler(format: format, timeout: timeout)) }
        case .keyboard:
            let layout = profile.keyboardLayout ?? "us"
            _ = try XKBKeyboard(layout: layout)
            let source = sourceName
            let logger = self.logger
            return { pipeline in
                try pipeline.addHandler(InputEventHandler(decoder: try KeyboardDecoder(layout: layout), source: source, logger: logger))
                try pipeline.addHandler(FramingHandler(framing: framing))
            }
        }
    }
}
