import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens a serial tty (a CDC-ACM scanner or a pty in tests) in raw mode.
public enum SerialPort {
    /// Supported line speeds. CDC-ACM scanners ignore the speed; real UARTs need the right one.
    static func speed(_ baud: Int) -> speed_t? {
        switch baud {
        case 1200: return speed_t(B1200)
        case 2400: return speed_t(B2400)
        case 4800: return speed_t(B4800)
        case 9600: return speed_t(B9600)
        case 19200: return speed_t(B19200)
        case 38400: return speed_t(B38400)
        case 57600: return speed_t(B57600)
        case 115200: return speed_t(B115200)
        default: return nil
        }
    }

    /// The accepted `baud` values, for configuration errors.
    public static let supportedBaudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]

    /// Opens `path` read-only, non-blocking, without becoming its controlling terminal, in raw 8N1 mode.
    public static func open(path: String, baud: Int) throws -> CInt {
        let fd = Glibc.open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw DeviceOpenError(path: path, errno: errno, transport: .serial) }
        var options = termios()
        if tcgetattr(fd, &options) == 0 {
            cfmakeraw(&options)
            options.c_cflag |= tcflag_t(CLOCAL | CREAD)
            if let speed = speed(baud) {
                cfsetispeed(&options, speed)
                cfsetospeed(&options, speed)
            }
            if tcsetattr(fd, TCSANOW, &options) != 0 {
                let error = errno
                close(fd)
                throw DeviceOpenError(path: path, errno: error, transport: .serial)
            }
            tcflush(fd, TCIFLUSH)
        }
        return fd
    }
}
