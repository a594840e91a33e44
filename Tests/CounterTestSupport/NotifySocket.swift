import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A unix datagram socket standing in for systemd's notify socket (`$NOTIFY_SOCKET`).
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let fd: CInt

    public init() throws {
        path = "/tmp/cd-notify-\(UUID().uuidString.prefix(8)).sock"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    /// The next datagram, waiting at most `timeout` (polled every `interval`).
    public func receive(timeout: Duration, interval: Duration = .milliseconds(20)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { return String(decoding: buffer.prefix(count), as: UTF8.self) }
            try await Task.sleep(for: interval)
        }
        return nil
    }

    deinit {
        close(fd)
        unlink(path)
    }
}
