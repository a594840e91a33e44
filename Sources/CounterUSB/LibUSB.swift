import CLibUSB
import Foundation
import Synchronization

/// The only Swift code that calls libusb. Enumerates devices by their descriptors (no device is opened)
/// and delivers hotplug arrivals and removals from a dedicated thread, off the cooperative pool.
public final class LibUSB: Sendable {
    /// A device as libusb sees it without opening it.
    public struct Summary: Sendable, Hashable {
        /// The kernel name (`1-1.4`), built from the bus number and port path, which is how sysfs names it.
        public var id: String
        public var vendorID: UInt16
        public var productID: UInt16
    }

    /// A hotplug notification.
    public enum Change: Sendable, Hashable {
        case arrived(Summary)
        case left(Summary)
    }

    /// Why libusb could not be used.
    public struct Failure: Error, CustomStringConvertible {
        public let call: String
        public let code: Int32
        public var description: String {
            "\(call): \(String(cString: libusb_strerror(code)))"
        }
    }

    // The context pointer is shared with the event thread; libusb contexts are thread-safe.
    private nonisolated(unsafe) let context: OpaquePointer
    private let state = Mutex<(running: Bool, handle: libusb_hotplug_callback_handle?, box: Unmanaged<CallbackBox>?)>(
        (false, nil, nil))

    /// Opens a libusb context. Fails where the kernel has no usbfs (containers, this CI's kernel).
    public init() throws(Failure) {
        var pointer: OpaquePointer?
        let result = libusb_init(&pointer)
        guard result == 0, let pointer else { throw Failure(call: "libusb_init", code: result) }
        _ = counterd_libusb_log_level_none(pointer)
        context = pointer
    }

    deinit {
        stopHotplug()
        libusb_exit(context)
    }

    /// Whether this platform delivers hotplug events (Linux with usbfs does).
    public var hasHotplug: Bool { libusb_has_capability(UInt32(LIBUSB_CAP_HAS_HOTPLUG.rawValue)) != 0 }

    /// The devices on every bus, root hubs excluded. Blocking: call from a thread of your own.
    public func devices() throws(Failure) -> [Summary] {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else { throw Failure(call: "libusb_get_device_list", code: Int32(count)) }
        defer { libusb_free_device_list(list, 1) }
        return (0..<Int(count)).compactMap { list[$0].flatMap(Self.summary(of:)) }
    }

    /// Registers for arrivals and removals and starts the thread that delivers them.
    /// `onChange` runs on that thread; keep it short (hand the change to an actor or a stream).
    public func startHotplug(onChange: @escaping @Sendable (Change) -> Void) throws(Failure) {
        let box = Unmanaged.passRetained(CallbackBox(onChange))
        var handle: libusb_hotplug_callback_handle = 0
        let events = Int32(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED.rawValue | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT.rawValue)
        let result = libusb_hotplug_register_callback(
            context, events, 0, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
            { _, device, event, userData in
                guard let device, let userData,
                      let summary = LibUSB.summary(of: device) else { return 0 }
                let box = Unmanaged<CallbackBox>.fromOpaque(userData).takeUnretainedValue()
                box.onChange(event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? .arrived(summary) : .left(summary))
                return 0
            }, box.toOpaque(), &handle)
        guard result == 0 else {
            box.release()
            throw Failure(call: "libusb_hotplug_register_callback", code: result)
        }
        state.withLock { $0 = (true, handle, box) }
        let thread = Thread { [self] in
            var timeout = timeval(tv_sec: 1, tv_usec: 0)
            while state.withLock({ $0.running }) {
                _ = libusb_handle_events_timeout_completed(context, &timeout, nil)
            }
        }
        thread.name = "libusb-events"
        thread.start()
    }

    /// Stops delivering hotplug changes (the event thread ends within a second).
    public func stopHotplug() {
        let (handle, box) = state.withLock { current -> (libusb_hotplug_callback_handle?, Unmanaged<CallbackBox>?) in
            defer { current = (false, nil, nil) }
            return (current.handle, current.box)
        }
        if let handle { libusb_hotplug_deregister_callback(context, handle) }
        box?.release()
    }

    private static func summary(of device: OpaquePointer) -> Summary? {
        var descriptor = libusb_device_descriptor()
        guard libusb_get_device_descriptor(device, &descriptor) == 0 else { return nil }
        var ports = [UInt8](repeating: 0, count: 8)
        let depth = libusb_get_port_numbers(device, &ports, Int32(ports.count))
        guard depth > 0 else { return nil } // a root hub has no port path
        let bus = libusb_get_bus_number(device)
        let path = ports.prefix(Int(depth)).map(String.init).joined(separator: ".")
        return Summary(id: "\(bus)-\(path)", vendorID: descriptor.idVendor, productID: descriptor.idProduct)
    }
}

/// Carries the Swift callback through libusb's `void *user_data`.
private final class CallbackBox: Sendable {
    let onChange: @Sendable (LibUSB.Change) -> Void
    init(_ onChange: @escaping @Sendable (LibUSB.Change) -> Void) { self.onChange = onChange }
}
