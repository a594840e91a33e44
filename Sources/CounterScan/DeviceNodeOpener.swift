import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens evdev and hidraw nodes for reading, non-blocking.
enum DeviceNodeOpener {
    /// `EVIOCGRAB`, `_IOW('E', 0x90, int)`: while held, the node's events reach only this descriptor, so
    /// scans never type into the desktop or the console.
    static let grabRequest: UInt = 0x4004_4590

    /// Opens an evdev node and grabs it. Fails when another program holds the grab (EBUSY).
    static func openGrabbed(_ path: String) throws -> CInt {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw DeviceOpenError(path: path, errno: errno, transport: .keyboard) }
        guard ioctl(fd, grabRequest, CInt(1)) == 0 else {
            let error = errno
            close(fd)
            throw DeviceOpenError(path: path, errno: error, transport: .keyboard)
        }
        return fd
    }

    /// Opens a hidraw node.
    static func openHIDRaw(_ path: String) throws -> CInt {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw DeviceOpenError(path: path, errno: errno, transport: .hidPOS) }
        return fd
    }
}
