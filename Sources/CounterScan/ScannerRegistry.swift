import CounterCore
import Foundation

/// What counterd knows about its scanners right now, and the stream of their attach, detach and error
/// events. Every source reports here; the API and `counterctl devices` read it.
public actor ScannerRegistry {
    private var statuses: [String: ScannerStatus] = [:]
    private var unmatched: [UnmatchedDevice] = []
    private let broadcaster = Broadcaster<DeviceEvent>()
    private var monitor: (mode: String, detail: String?) = ("off", nil)
    private let onEvent: @Sendable (DeviceEvent) -> Void

    /// - Parameter onEvent: called for every event (the daemon logs them).
    public init(onEvent: @escaping @Sendable (DeviceEvent) -> Void = { _ in }) {
        self.onEvent = onEvent
    }

    /// Every scanner, sorted by id.
    public func all() -> [ScannerStatus] { statuses.values.sorted { $0.id < $1.id } }

    /// USB devices that look like scanners but match no profile.
    public func unmatchedDevices() -> [UnmatchedDevice] { unmatched }

    public func status(of id: String) -> ScannerStatus? { statuses[id] }

    /// The device is open and read.
    public func attached(_ status: ScannerStatus) {
        var status = status
        status.state = .reading
        status.problem = nil
        status.fix = nil
        status.permissionDenied = false
        if let previous = statuses[status.id] {
            status.scans = previous.scans
            status.lastScanAt = previous.lastScanAt
        }
        statuses[status.id] = status
        publish(DeviceEvent(kind: .attached, device: status.id, source: status.source,
                            message: status.nodes.joined(separator: " ")))
    }

    /// The device is present but cannot be read. Repeats of the same problem publish no new event.
    public func failed(_ status: ScannerStatus, problem: String, fix: String, permissionDenied: Bool) {
        let repeated = statuses[status.id].map { $0.state == .error && $0.problem == problem } ?? false
        var status = statuses[status.id].map { merged($0, with: status) } ?? status
        status.state = .error
        status.problem = problem
        status.fix = fix
        status.permissionDenied = permissionDenied
        statuses[status.id] = status
        if !repeated {
            publish(DeviceEvent(kind: .error, device: status.id, source: status.source, message: "\(problem); \(fix)"))
        }
    }

    /// The device went away.
    public func detached(id: String) {
        guard var status = statuses[id], status.state != .detached else { return }
        status.state = .detached
        statuses[id] = status
        publish(DeviceEvent(kind: .detached, device: id, source: status.source))
    }

    /// A scan came from the device.
    public func scanned(id: String, at date: Date) {
        statuses[id]?.scans += 1
        statuses[id]?.lastScanAt = date
    }

    public func setUnmatched(_ devices: [UnmatchedDevice]) { unmatched = devices }

    /// How USB changes are detected (`hotplug`, `rescan`, `no_usb`, `off`), and why when not by hotplug.
    public func setMonitor(mode: String, detail: String?) { monitor = (mode, detail) }
    public func monitorMode() -> (mode: String, detail: String?) { monitor }

    /// Events from now on, until the consumer stops iterating.
    public func events() -> AsyncStream<DeviceEvent> { broadcaster.subscribe() }

    /// Ends every event stream (at shutdown).
    public func endEvents() { broadcaster.finish() }

    private func publish(_ event: DeviceEvent) {
        onEvent(event)
        broadcaster.publish(event)
    }

    private func merged(_ old: ScannerStatus, with new: ScannerStatus) -> ScannerStatus {
        var status = new
        status.scans = old.scans
        status.lastScanAt = old.lastScanAt
        return status
    }
}
