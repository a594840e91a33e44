import Foundation
#if canImport(Glibc)
import Glibc
#endif

// Linux ioctl numbers (asm-generic/ioctls.h), not exported to Swift: _IOW('T', 0x31, int), _IOR('T', 0x30, unsigned int).
private let tiocsptlck: UInt = 0x4004_5431
private let tiocgptn: UInt = 0x8004_5430

/// A real pty pair: the test writes to the master, the code under test opens the slave path.
public final class PseudoTerminal: @unchecked Sendable {
    // The master descriptor is written from one test task only, then closed once.
    public let master: CInt
    public let slavePath: String

    public init() throws {
        // posix_openpt/grantpt/unlockpt/ptsname are not exported by Swift's Glibc module; do what they do.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
        var unlock: CInt = 0
        var number: CUnsignedInt = 0
        guard master >= 0, ioctl(master, tiocsptlck, &unlock) == 0, ioctl(master, tiocgptn, &number) == 0 else {
            throw POSIXError(.EIO)
        }
        slavePath = "/dev/pts/\(number)"
    }

    /// Writes all of `text`, waiting at most 10 s for room: a write cut short by a signal (a child's SIGCHLD,
    /// in a test process that starts many) is completed, and a reader that never reads cannot block the
    /// test's thread for ever (the test then fails on its missing scans instead of hanging the suite).
    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while offset < bytes.count, ContinuousClock.now < deadline {
            var ready = pollfd(fd: master, events: Int16(POLLOUT), revents: 0)
            guard poll(&ready, 1, 100) >= 0 || errno == EINTR else { return }
            guard ready.revents & Int16(POLLOUT) != 0 else { continue }
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR || errno == EAGAIN {
                continue
            } else {
                return // the pty is closed
            }
        }
    }

    public func close() {
        Glibc.close(master)
    }
}
