import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 standing in for a receipt printer's port 9100: it keeps the bytes
/// of each connection (one CUPS job each). It can be stopped and started on the same port, like a
/// printer switched off and on.
public final class CaptureListener: Sendable {
    public let port: UInt16
    private let jobs = Mutex<[[UInt8]]>([])
    private let socket = Mutex<CInt>(-1)

    public init() throws {
        // Take a free port from the kernel, then listen on it.
        let probe = try Self.listen(port: 0)
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        socket.withLock { $0 = probe }
        startAccepting(probe)
    }

    deinit { stop() }

    /// Every job received so far, in order.
    public var received: [[UInt8]] { jobs.withLock { $0 } }

    /// Waits until `count` jobs have arrived, or `timeout` passes; returns what arrived.
    public func waitForJobs(_ count: Int, timeout: Duration = .seconds(30)) async -> [[UInt8]] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = received
            if current.count >= count { return current }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return received
    }

    /// Stops listening: connections are refused, as by a printer that is off.
    public func stop() {
        socket.withLock { fd in
            if fd >= 0 { shutdown(fd, CInt(SHUT_RDWR)); close(fd); fd = -1 }
        }
    }

    /// Listens again on the same port.
    public func restart() throws {
        let fd = try Self.listen(port: port)
        socket.withLock { $0 = fd }
        startAccepting(fd)
    }

    private func startAccepting(_ fd: CInt) {
        let thread = Thread { [weak self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                var data: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let count = read(client, &buffer, buffer.count)
                    if count <= 0 { break }
                    data += buffer[0..<count]
                }
                close(client)
                if !data.isEmpty { self?.jobs.withLock { $0.append(data) } }
            }
        }
        thread.start()
    }

    private static func listen(port: UInt16) throws -> CInt {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: CInt = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<CInt>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        return fd
    }
}
