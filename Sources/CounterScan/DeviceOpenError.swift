import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a scanner's device node could not be opened (or taken exclusively), with the fix.
public struct DeviceOpenError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let errno: Int32
    public let transport: ScannerProfile.Transport

    public init(path: String, errno: Int32, transport: ScannerProfile.Transport) {
        self.path = path
        self.errno = errno
        self.transport = transport
    }

    /// Whether the problem is access rights (the udev rule or the group), which doctor reports.
    public var isPermissionDenied: Bool { errno == EACCES || errno == EPERM }

    public var description: String { "\(path): \(problem); \(fix)" }

    /// What went wrong, in words.
    public var problem: String {
        let reason = String(cString: strerror(errno))
        switch errno {
        case EACCES, EPERM: return "permission denied (\(reason))"
        case ENOENT, ENODEV, ENXIO: return "no such device (\(reason))"
        case EBUSY: return "taken exclusively by another program (\(reason))"
        default: return reason
        }
    }

    /// What to do about it.
    public var fix: String {
        switch errno {
        case EACCES, EPERM:
            return "install the udev rules (`counterd udev-rules > /etc/udev/rules.d/70-counterd-scanners.rules`, "
                + "then `udevadm control --reload && udevadm trigger`) and add the counterd user to the counterd group, "
                + "or run `counterctl doctor`"
        case ENOENT, ENODEV, ENXIO:
            switch transport {
            case .serial: return "is the scanner plugged in and in USB serial mode?"
            case .hidPOS: return "is the scanner plugged in and in HID POS mode?"
            case .keyboard: return "is the scanner plugged in?"
            }
        case EBUSY:
            return "stop the other program reading the scanner (another counterd, or a kiosk tool holding the grab)"
        default:
            return "run `counterctl doctor`"
        }
    }
}
