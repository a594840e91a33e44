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
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: CInt = 0
        var number: CUnsignedInt = 0
        guard master >= 0, ioctl(master, tiocsptlck, &unlock) == 0, ioctl(master, tiocgptn, &number) == 0 else {
            throw POSIXError(.EIO)
        }
        slavePath = "/dev/pts/\(number)"
    }

    /// Writes all of `text`. A blocking write to a tty returns early when a signal (a child's SIGCHLD, in a
    /// test process that starts many) interrupts it with part written: the rest is written again.
    public func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
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
