import CounterUSB
import Foundation
import Logging
import NIOCore

/// Finds scanners among the USB devices, by profile, and reads each one while it is present: started on
/// arrival (or at start), stopped on removal, reopened with backoff when it fails. Every scan from every
/// scanner goes to the same `deliver`, so several scanners feed the redeemer at once.
public actor ScannerManager {
    private let source: any USBDeviceSource
    private let profiles: ScannerProfiles
    private let registry: ScannerRegistry
    private let opener: any ScannerNodeOpener
    private let logger: Logger
    private let retryDelay: Duration
    /// How long a device may take to settle before its problems are shown: after plug-in the kernel driver
    /// binds and udev makes and owns the nodes a moment after the USB device appears; after an unplug a
    /// read fails before the device list reports the detach (hotplug is at once; sysfs rescans every 2 s).
    private let settleTime: Duration
    /// Paths of configured scanners: a USB device with one of these nodes is left to its configured source.
    private let claimedPaths: [String]
    private var readers: [String: (device: USBDevice, task: Task<Void, Never>)] = [:]
    private var announcedClaims: Set<String> = []

    public init(source: any USBDeviceSource, profiles: ScannerProfiles, registry: ScannerRegistry,
                opener: any ScannerNodeOpener = SystemNodeOpener(), logger: Logger, retryDelay: Duration = .seconds(1),
                settleTime: Duration = .seconds(5), claimedPaths: [String] = []) {
        self.settleTime = settleTime
        self.claimedPaths = claimedPaths
        self.source = source
        self.profiles = profiles
        self.registry = registry
        self.opener = opener
        self.logger = logger
        self.retryDelay = retryDelay
    }

    /// The registry id of a USB device.
    public static func registryID(_ device: USBDevice) -> String { "usb:\(device.id)" }

    /// Follows the device snapshots until cancelled.
    public func run(deliver: @escaping @Sendable (ScanEvent) async -> Void) async {
        for await snapshot in source.snapshots() {
            await apply(snapshot, deliver: deliver)
        }
        for reader in readers.values { reader.task.cancel() }
        readers.removeAll()
    }

    /// Starts readers for new or changed matched devices and stops those of devices that left.
    func apply(_ snapshot: [USBDevice], deliver: @escaping @Sendable (ScanEvent) async -> Void) async {
        var present: Set<String> = []
        var unmatched: [UnmatchedDevice] = []
        // Resolved once per snapshot (a /dev/serial/by-id link may appear later), not once per device.
        let claimed = Set(claimedPaths.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path })
        for device in snapshot {
            guard let profile = profiles.match(device) else {
                if Self.mightBeAScanner(device) {
                    unmatched.append(UnmatchedDevice(id: device.id, vendorProduct: device.vendorProduct, product: device.product))
                }
                continue
            }
            if let node = claimedNode(of: device, claimed: claimed) {
                if readers[device.id] == nil, !announcedClaims.contains(device.id) {
                    announcedClaims.insert(device.id)
                    logger.info("USB scanner left to its configured source",
                                metadata: ["port": "\(device.id)", "node": "\(node)", "profile": "\(profile.id)"])
                }
                continue
            }
            present.insert(device.id)
            if let existing = readers[device.id], existing.device == device { continue }
            readers[device.id]?.task.cancel()
            let reader = USBScannerReader(device: device, profile: profile, opener: opener, logger: logger)
            readers[device.id] = (device, Task { await self.keepReading(reader, deliver: deliver) })
        }
        for (id, reader) in readers where !present.contains(id) {
            reader.task.cancel()
            readers[id] = nil
            await registry.detached(id: Self.registryID(reader.device))
        }
        await registry.setUnmatched(unmatched)
    }

    /// A node of `device` that a configured scanner reads (links such as /dev/serial/by-id resolved).
    private func claimedNode(of device: USBDevice, claimed: Set<String>) -> String? {
        guard !claimed.isEmpty else { return nil }
        return device.nodes.map(\.path).first { claimed.contains(URL(fileURLWithPath: $0).resolvingSymlinksInPath().path) }
    }

    /// HID or CDC interfaces: what a scanner in any mode presents.
    static func mightBeAScanner(_ device: USBDevice) -> Bool {
        device.interfaces.contains { [3, 2, 10].contains($0.interfaceClass) }
    }

    private func keepReading(_ reader: USBScannerReader, deliver: @escaping @Sendable (ScanEvent) async -> Void) async {
        let registry = self.registry
        let id = Self.registryID(reader.device)
        let status = ScannerStatus(id: id, source: reader.sourceName, transport: reader.profile.transport.rawValue,
                                   profile: reader.profile.id, vendorProduct: reader.device.vendorProduct,
                                   product: reader.device.product, nodes: reader.nodes.map(\.path), state: .reading)
        var delay = retryDelay
        var unpluggedBefore = false
        let appeared = ContinuousClock.now
        while !Task.isCancelled {
            do {
                try await reader.read(opened: { await registry.attached(status) }) { event in
                    await registry.scanned(id: id, at: event.receivedAt)
                    await deliver(event)
                }
                delay = retryDelay
                unpluggedBefore = false
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                if Self.meansUnplugged(error), !unpluggedBefore {
                    // The kernel says the device is gone before the device list does: the list that follows
                    // reports the detach and ends this task. Should the device still be listed after the
                    // grace, the next attempt reports what is wrong.
                    unpluggedBefore = true
                    logger.debug("scanner read ended: device gone", metadata: ["device": "\(id)", "error": "\(error)"])
                    try? await Task.sleep(for: settleTime)
                    continue
                }
                if Self.mayBeSettling(error), ContinuousClock.now - appeared < settleTime {
                    // Just plugged in: no node yet, or udev has not given it to the counterd group yet. The
                    // device list that shows the node starts a new reader; a retry finds the group.
                    logger.debug("scanner settling", metadata: ["device": "\(id)", "error": "\(error)"])
                    try? await Task.sleep(for: retryDelay)
                    continue
                }
                unpluggedBefore = false
                let (problem, fix, denied) = Self.explain(error)
                await registry.failed(status, problem: problem, fix: fix, permissionDenied: denied)
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
    }

    /// Whether a reader's error is the kernel's word that the device was unplugged (`ENODEV`, `ENXIO` from
    /// read): a detach, not a failure to show the cashier. Found under QEMU: evdev answers a pending read
    /// of an unplugged keyboard scanner with `ENODEV` before udev and libusb report the removal.
    static func meansUnplugged(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return error.errnoCode == ENODEV || error.errnoCode == ENXIO
    }

    /// Whether a reader's error is what a device shows in its first moments (found under QEMU: a replugged
    /// keyboard scanner is listed before usbhid has made its event node): a missing node, or a node udev
    /// has not given to the counterd group yet.
    static func mayBeSettling(_ error: any Error) -> Bool {
        switch error {
        case is USBScannerReader.MissingNode: return true
        case let error as DeviceOpenError: return error.isPermissionDenied
        default: return false
        }
    }

    /// A reader's error as problem, fix, and whether it is a permission problem.
    static func explain(_ error: any Error) -> (String, String, Bool) {
        switch error {
        case let error as DeviceOpenError: return ("\(error.path): \(error.problem)", error.fix, error.isPermissionDenied)
        case let error as USBScannerReader.MissingNode: return (error.problem, error.fix, false)
        case let error as XKBKeyboard.LayoutError: return ("\(error)", "set keyboard_layout in the profile", false)
        default: return ("\(error)", "run `counterctl doctor`", false)
        }
    }
}
