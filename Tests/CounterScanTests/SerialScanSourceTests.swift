import CounterScan
import CounterTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Collects delivered scans for assertions.
final class ScanCollector: Sendable {
    private let events = Mutex<[ScanEvent]>([])

    func append(_ event: ScanEvent) { events.withLock { $0.append(event) } }
    var all: [ScanEvent] { events.withLock { $0 } }

    /// Waits until `count` scans arrived (at most 15 s: the suite runs in parallel on 2 cores).
    func wait(for count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while all.count < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

@Suite(.serialized) struct SerialScanSourceTests {
    func start(_ pty: PseudoTerminal, terminator: ScanTerminator = .cr, duplicateWindow: Duration? = .seconds(2),
               collector: ScanCollector) -> Task<Void, any Error> {
        let configuration = SerialScanSource.Configuration(
            name: "pty", path: pty.slavePath,
            framing: ScanFraming(terminator: terminator, interCharacterTimeout: .milliseconds(150)),
            duplicateWindow: duplicateWindow, reopenDelay: .milliseconds(100))
        let source = SerialScanSource(configuration: configuration, logger: Logger(label: "test"))
        return Task { try await source.run { collector.append($0) } }
    }

    /// Runs a serial source on a fresh pty for the duration of `body`.
    func withOpenSource(_ body: (PseudoTerminal, ScanCollector) async throws -> Void) async throws {
        let pty = try PseudoTerminal()
        defer { pty.close() }
        let collector = ScanCollector()
        let task = start(pty, collector: collector)
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(200))
        try await body(pty, collector)
    }

    @Test func readsFramedScansFromARealPty() async throws {
        try await withOpenSource { pty, collector in
            pty.write("DEMO-0001\r")
            pty.write("CARD")
            pty.write("-0010\r")
            try await collector.wait(for: 2)
            #expect(collector.all.map(\.text) == ["DEMO-0001", "CARD-0010"])
            #expect(collector.all.allSatisfy { $0.source == "pty" && $0.completion == .complete })
        }
    }

    @Test func halfAScanThenSilenceIsReportedIncomplete() async throws {
        try await withOpenSource { pty, collector in
            pty.write("DEMO-00")
            try await collector.wait(for: 1)
            #expect(collector.all.first?.completion == .incomplete)
            #expect(collector.all.first?.text == "DEMO-00")
            pty.write("WHOLE\r")
            try await collector.wait(for: 2)
            #expect(collector.all.last?.text == "WHOLE")
        }
    }

    @Test func doubleTriggerIsSuppressedInsideTheWindow() async throws {
        try await withOpenSource { pty, collector in
            pty.write("SAME\rSAME\rOTHER\r")
            try await collector.wait(for: 2)
            try await Task.sleep(for: .milliseconds(100))
            #expect(collector.all.map(\.text) == ["SAME", "OTHER"])
        }
    }

    @Test func missingDeviceIsRetriedWithoutCrashingAndCancelStopsIt() async throws {
        let collector = ScanCollector()
        let configuration = SerialScanSource.Configuration(name: "gone", path: "/dev/does-not-exist-counterd",
                                                           reopenDelay: .milliseconds(20))
        let source = SerialScanSource(configuration: configuration, logger: Logger(label: "test"))
        let task = Task { try await source.run { collector.append($0) } }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        try await task.value
        #expect(collector.all.isEmpty)
    }

    @Test func deviceVanishingMidScanKeepsTheSourceAlive() async throws {
        let pty = try PseudoTerminal()
        let collector = ScanCollector()
        let task = start(pty, collector: collector)
        try await Task.sleep(for: .milliseconds(200))
        pty.write("COMPLETE\rHALF")
        try await collector.wait(for: 1)
        pty.close()
        try await collector.wait(for: 2)
        #expect(collector.all.first?.text == "COMPLETE")
        #expect(collector.all.dropFirst().first?.completion == .incomplete)
        task.cancel()
        try await task.value
    }

    @Test func openErrorsExplainTheFix() {
        #expect("\(DeviceOpenError(path: "/dev/ttyACM0", errno: EACCES, transport: .serial))".contains("udev"))
        #expect("\(DeviceOpenError(path: "/dev/ttyACM0", errno: ENOENT, transport: .serial))".contains("plugged in"))
    }
}
