@testable import CounterHub
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server that stops answering costs a request `database_unavailable` after the deadline, never a thread
/// and a connection forever (a hub stuck so could not even shut down).
@Suite struct PostgresDeadlineTests {
    /// A loopback port whose listening socket never accepts: the kernel completes the TCP handshake (the backlog),
    /// and nothing ever answers PostgreSQL's startup message.
    final class SilentServer {
        let descriptor: Int32
        let port: Int

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                    bind(fd, generic, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, generic, &length) == 0
                }
            }
            guard fd >= 0, bound else {
                if fd >= 0 { close(fd) }
                throw HubError("test", "cannot listen on loopback")
            }
            descriptor = fd
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        deinit { close(descriptor) }
    }

    @Test func aServerThatNeverAnswersFailsTheRequestWithinTheDeadline() throws {
        let server = try SilentServer()
        let started = ContinuousClock.now
        let error = #expect(throws: HubError.self) {
            _ = try PostgresHubDatabase(url: "postgres://hub@127.0.0.1:\(server.port)/hub?sslmode=disable", answerTimeout: 1)
        }
        #expect(error?.code == "database_unavailable")
        // PostgresNIO's own connect timeout is 10 s (if it covers the startup exchange at all): only the deadline ends this within 5 s.
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
