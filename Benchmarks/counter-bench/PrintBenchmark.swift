import ArgumentParser
import CounterAPI
import CounterCUPS
import CounterCore
import CounterDaemon
import CounterLedger
import CounterPrint
import CounterReceipts
import CounterTestSupport
import Foundation
import Logging

/// Time from a committed redemption to its receipt accepted by CUPS, against a raw libcups
/// submission of a receipt-sized blob (the floor CUPS itself sets) in the same run.
struct PrintBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print",
        abstract: "Committed redemption → receipt job accepted by CUPS, vs. a raw libcups submission.")

    @Option(help: "Receipts to time.") var count = 500
    @Option(help: "The CUPS server (host:port); a raw queue bench-receipt is added to it.") var cupsServer: String
    @Option(help: "Directory for the ledger.") var directory = "."

    func run() async throws {
        let root = (directory as NSString).appendingPathComponent("counter-bench-print-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let sink = try CaptureListener()  // the printer: keeps the bytes, which nobody reads
        try addQueue(port: sink.port)
        let warmup = min(20, count / 5)
        // What the first receipt after start used to pay on top of the rest: loading the bitmap font cold.
        let fontLoad = await measure { _ = BitmapFont.unifont }

        var configuration = try DaemonConfiguration.demo(environment: [:])
        configuration.stateDirectory = root + "/state"
        configuration.api = APIListeners(socketPath: root + "/api.sock")
        configuration.loadDemoData = false
        configuration.scanners = []
        configuration.printer = PrinterConfiguration(destination: "bench-receipt", cupsServer: cupsServer)
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let daemon = try await buildDaemon(configuration, logger: logger)
        let codes = (0..<(count + warmup)).map { String(format: "PRINT-%08d", $0) }
        try await daemon.ledger.apply(CacheUpdate(campaigns: DemoData.cacheUpdate(now: Date()).campaigns,
                                                  tokens: codes.map(RedeemBenchmark.token)))

        // Baseline: the same number of raw jobs of a receipt's size straight through libcups.
        let cups = CUPSClient(server: cupsServer)
        let blob = [UInt8](repeating: 0x41, count: 640)
        var raw: [Duration] = []
        for index in 0..<(count + warmup) {
            let elapsed = try await measure { _ = try await cups.submitRaw(blob, to: "bench-receipt", title: "bench") }
            if index >= warmup { raw.append(elapsed) }
        }

        var receipts: [Duration] = []
        var first: Duration = .zero
        for (index, code) in codes.enumerated() {
            let verdict = try await daemon.ledger.redeem(code, source: "bench")
            guard let id = verdict.redemption?.id.lowercasedString else { throw ValidationError("\(code) was rejected") }
            let elapsed = await measure {
                await daemon.receipts.enqueue(.redemption, itemID: id, redemptionID: id, usesLeft: verdict.usesLeft)
                let sent = await daemon.receipts.printDue()
                precondition(sent, "CUPS did not accept the receipt")
            }
            if index == 0 { first = elapsed }
            if index >= warmup { receipts.append(elapsed) }
        }
        let baseline = LatencySummary(raw)
        print("""
            | path | samples | p50 µs | p90 µs | p99 µs | max µs | p50 vs. raw |
            |---|---|---|---|---|---|---|
            \(baseline.row("raw libcups job, 640 bytes (baseline)", baseline: baseline))
            \(LatencySummary(receipts).row("committed redemption → receipt accepted by CUPS", baseline: baseline))
            \(LatencySummary([first]).row("the first receipt after start (1 sample)", baseline: baseline))
            \(LatencySummary([fontLoad]).row("loading the bitmap font cold (done at start, no longer on the first receipt)", baseline: baseline))
            """)
    }

    private func addQueue(port: UInt16) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/lpadmin")
        process.arguments = ["-h", cupsServer, "-p", "bench-receipt", "-E", "-v", "socket://127.0.0.1:\(port)"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ValidationError("lpadmin could not add the bench queue on \(cupsServer)") }
    }
}
