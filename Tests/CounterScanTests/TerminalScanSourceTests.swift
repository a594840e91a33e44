import CounterScan
import Foundation
import Logging
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct TerminalScanSourceTests {
    /// systemd gives a service /dev/null as standard input; epoll refuses it, and NIO used to trap on it.
    @Test(arguments: ["/dev/null", "/etc/hostname"])
    func anInputEpollCannotWatchEndsTheSourceWithoutACrash(path: String) async throws {
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        let registry = ScannerRegistry()
        let source = TerminalScanSource(name: "terminal", descriptor: descriptor, logger: Logger(label: "test"), registry: registry)
        let collector = ScanCollector()
        try await source.run { collector.append($0) }
        #expect(collector.all.isEmpty)
        try await Task.sleep(for: .milliseconds(50))
        #expect(await registry.all().first?.state == .detached)
    }
}
