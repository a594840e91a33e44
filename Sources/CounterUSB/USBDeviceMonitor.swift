import CounterCore
import Dispatch

/// Where the scanner manager learns which USB devices are present. The real one is ``USBDeviceMonitor``;
/// tests drive the hotplug logic with a fake.
public protocol USBDeviceSource: Sendable {
    /// Snapshots of the present devices: the first at once, then one after every change, until cancelled.
    func snapshots() -> AsyncStream<[USBDevice]>
}

/// Watches USB devices: libusb hotplug where the kernel supports it, plus a periodic rescan as a safety
/// net. Where libusb starts, it enumerates the devices (ids and port paths, without opening them) and sysfs
/// adds their strings and nodes; where it cannot (no usbfs), sysfs alone enumerates.
public struct USBDeviceMonitor: USBDeviceSource {
    /// How the monitor learns about changes, for the log and `counterctl doctor`.
    public enum Mode: Sendable, Equatable {
        case hotplug
        /// libusb could not be used (the reason); sysfs is rescanned only.
        case rescanOnly(String)
        /// The kernel has no USB at all; nothing will ever arrive.
        case noUSB
    }

    public let sysfs: SysfsUSB
    public let rescanInterval: Duration
    /// Whether libusb is asked at all: it sees the real buses, so not when `sysfs` is a test's tree.
    public let usesLibUSB: Bool
    private let onMode: @Sendable (Mode) -> Void

    /// - Parameter onMode: told once how changes are detected.
    public init(sysfs: SysfsUSB = SysfsUSB(), rescanInterval: Duration = .seconds(2), usesLibUSB: Bool? = nil,
                onMode: @escaping @Sendable (Mode) -> Void = { _ in }) {
        self.sysfs = sysfs
        self.rescanInterval = rescanInterval
        self.usesLibUSB = usesLibUSB ?? (sysfs.sysfsRoot == "/sys")
        self.onMode = onMode
    }

    public func snapshots() -> AsyncStream<[USBDevice]> {
        let (stream, continuation) = AsyncStream.makeStream(of: [USBDevice].self, bufferingPolicy: .bufferingNewest(1))
        let task = Task { await watch(continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func watch(_ continuation: AsyncStream<[USBDevice]>.Continuation) async {
        let wakeup = Wakeup()
        let libusb = startHotplug(wakeup)
        defer { libusb?.stopHotplug() }
        var last: [USBDevice]?
        // Drivers bind and make their nodes a moment after the device arrives: look again soon after a change.
        var quickRescans = 0
        while !Task.isCancelled {
            let current = await enumerate(libusb)
            if current != last {
                continuation.yield(current)
                if last != nil { quickRescans = 3 }
                last = current
            }
            if quickRescans > 0 {
                quickRescans -= 1
                await wakeup.wait(timeout: .milliseconds(300))
            } else {
                await wakeup.wait(timeout: rescanInterval)
            }
        }
        continuation.finish()
    }

    private func startHotplug(_ wakeup: Wakeup) -> LibUSB? {
        guard sysfs.hasUSB else {
            onMode(.noUSB)
            return nil
        }
        guard usesLibUSB else {
            onMode(.rescanOnly("libusb not used for the sysfs tree at \(sysfs.sysfsRoot)"))
            return nil
        }
        do {
            let libusb = try LibUSB()
            guard libusb.hasHotplug else {
                onMode(.rescanOnly("libusb has no hotplug on this system"))
                return nil
            }
            try libusb.startHotplug { _ in Task { await wakeup.signal() } }
            onMode(.hotplug)
            return libusb
        } catch {
            onMode(.rescanOnly("\(error)"))
            return nil
        }
    }

    /// The present devices. libusb and sysfs calls block: they run on a dispatch queue, not on the
    /// cooperative pool.
    private func enumerate(_ libusb: LibUSB?) async -> [USBDevice] {
        let sysfs = self.sysfs
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.devices(libusb: libusb, sysfs: sysfs))
            }
        }
    }

    /// libusb's list with sysfs's details, else sysfs's list. A device libusb lists before sysfs shows it
    /// appears with its ids only; the quick rescans after the change fill in its nodes.
    static func devices(libusb: LibUSB?, sysfs: SysfsUSB) -> [USBDevice] {
        guard let libusb, let summaries = try? libusb.devices() else { return sysfs.devices() }
        return summaries.sorted { $0.id < $1.id }.map { summary in
            sysfs.device(named: summary.id)
                ?? USBDevice(id: summary.id, vendorID: summary.vendorID, productID: summary.productID)
        }
    }
}
