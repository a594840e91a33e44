/// Opens a scanner's device nodes. The system opener grabs evdev nodes; tests substitute FIFOs, since this
/// kernel has no USB (fakes only where the kernel gives nothing).
public protocol ScannerNodeOpener: Sendable {
    /// An evdev node, taken exclusively.
    func openInput(_ path: String) throws -> CInt
    func openHIDRaw(_ path: String) throws -> CInt
    func openSerial(_ path: String, baud: Int) throws -> CInt
}

/// The real device nodes.
public struct SystemNodeOpener: ScannerNodeOpener {
    public init() {}
    public func openInput(_ path: String) throws -> CInt { try DeviceNodeOpener.openGrabbed(path) }
    public func openHIDRaw(_ path: String) throws -> CInt { try DeviceNodeOpener.openHIDRaw(path) }
    public func openSerial(_ path: String, baud: Int) throws -> CInt { try SerialPort.open(path: path, baud: baud) }
}
