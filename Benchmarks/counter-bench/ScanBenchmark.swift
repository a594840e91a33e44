import ArgumentParser
import CounterScan
import CounterTestSupport
import CounterUSB
import Foundation

/// What decoding a scan costs in each transport, and what one USB rescan of sysfs costs (counterd does
/// one every 2 s while idle), against a raw SQLite INSERT+COMMIT in the same run: the least a
/// redemption costs after its scan is decoded.
struct ScanBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Per-scan decoding cost of the keyboard-wedge and HID POS transports vs. serial framing, and the cost of a USB rescan.")

    @Option(help: "Samples per row (each the mean of --repetitions scans).") var samples = 50
    @Option(help: "Scans per sample.") var repetitions = 200
    @Option(help: "USB devices in the sysfs tree the rescan reads.") var devices = 20
    @Option(help: "Directory for the baseline's SQLite file (the disk to measure).") var directory = "."

    func run() async throws {
        let code = "DEMO-0001"
        let long = String(repeating: "X", count: 4096)
        let framing = ScanFraming(terminator: .cr, interCharacterTimeout: nil)
        // One decoder per event node, made when the scanner attaches; its layout compile is timed on its own.
        let decoder = try KeyboardDecoder(layout: "us")
        let shortKeys = Self.keyEvents(code), longKeys = Self.keyEvents(long)
        let shortReports = Self.reports(Array(code.utf8)), longReports = Self.reports(Array(long.utf8))
        let rows: [(String, () throws -> Void)] = [
            ("serial framing, 9-character code", { try Self.frame(Array((code + "\r").utf8), framing) }),
            ("keyboard wedge: evdev decoding + framing, 9 characters", { try Self.frame(decoder.feed(shortKeys).bytes, framing) }),
            ("HID POS: report decoding, 9 bytes", { try Self.hidPOS(shortReports) }),
            ("serial framing, 4 KB scan", { try Self.frame(Array((long + "\r").utf8), framing) }),
            ("keyboard wedge, 4 KB scan", { try Self.frame(decoder.feed(longKeys).bytes, framing) }),
            ("HID POS, 4 KB scan (74 reports)", { try Self.hidPOS(longReports) }),
        ]
        var summaries: [(String, LatencySummary)] = []
        for (name, body) in rows {
            summaries.append((name, try sample(body)))
        }
        var compiles: [Duration] = []
        for _ in 0..<samples { compiles.append(try await measure { _ = try KeyboardDecoder(layout: "us") }) }
        summaries.append(("keyboard layout compile (once per attach)", LatencySummary(compiles)))
        let tree = try SysfsTree((0..<devices).map { index in
            .init(port: "1-\(index + 1)", vendorProduct: "1eab:1303", product: "scanner \(index)",
                  interfaces: [(3, ["event\(index)", "hidraw\(index)"])])
        })
        defer { tree.remove() }
        let sysfs = SysfsUSB(sysfsRoot: tree.root)
        var rescans: [Duration] = []
        for _ in 0..<samples {
            rescans.append(try await measure { guard sysfs.devices().count == devices else { throw ValidationError("rescan lost devices") } })
        }
        let path = (directory as NSString).appendingPathComponent("counter-bench-scan-\(UUID().uuidString.prefix(8)).sqlite")
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let baseline = LatencySummary(try RedeemBenchmark.baselineInsertCommit(path: path, count: samples + 20, warmup: 20))
        print("""
            | path | samples | p50 µs | p90 µs | p99 µs | max µs | p50 vs. baseline |
            |---|---|---|---|---|---|---|
            \(baseline.row("baseline: raw SQLite INSERT+COMMIT", baseline: baseline))
            \(summaries.map { $0.1.row($0.0, baseline: baseline) }.joined(separator: "\n"))
            \(LatencySummary(rescans).row("one USB rescan of sysfs, \(devices) devices (per call)", baseline: baseline))
            """)
    }

    /// Per-scan times: each sample is the mean of `repetitions` runs of `body`.
    private func sample(_ body: () throws -> Void) throws -> LatencySummary {
        for _ in 0..<100 { try body() } // warm-up
        var times: [Duration] = []
        for _ in 0..<samples {
            let start = ContinuousClock.now
            for _ in 0..<repetitions { try body() }
            times.append((ContinuousClock.now - start) / repetitions)
        }
        return LatencySummary(times)
    }

    static func frame(_ bytes: [UInt8], _ framing: ScanFraming) throws {
        var framer = ScanFramer(framing: framing)
        guard framer.feed(bytes).count == 1 else { throw ValidationError("serial framing lost the scan") }
    }

    static func hidPOS(_ reports: [UInt8]) throws {
        var decoder = HIDPOSDecoder(format: .standard)
        var frames = 0
        for start in stride(from: 0, to: reports.count, by: 64) where decoder.feed(report: reports[start..<(start + 64)]) != nil {
            frames += 1
        }
        guard frames == 1 else { throw ValidationError("HID POS decoding lost the scan") }
    }

    /// The evdev records a US-layout keyboard scanner sends for `text` (capitals, digits, '-') and Enter.
    static func keyEvents(_ text: String) -> [UInt8] {
        let letters: [Character: UInt16] = ["D": 32, "E": 18, "M": 50, "O": 24, "X": 45]
        let digits: [Character: UInt16] = ["1": 2, "2": 3, "3": 4, "4": 5, "5": 6, "6": 7, "7": 8, "8": 9, "9": 10, "0": 11, "-": 12]
        func press(_ code: UInt16, _ value: Int32) -> [UInt8] {
            InputEvent(type: InputEvent.key, code: code, value: value).bytes
                + InputEvent(type: InputEvent.synchronization, code: 0, value: 0).bytes
        }
        var bytes: [UInt8] = []
        for character in text {
            if let code = letters[character] {
                bytes += press(42, 1) + press(code, 1) + press(code, 0) + press(42, 0)
            } else if let code = digits[character] {
                bytes += press(code, 1) + press(code, 0)
            }
        }
        return bytes + press(28, 1) + press(28, 0)
    }

    /// `data` in standard HID POS reports of 56 data bytes, continued where needed.
    static func reports(_ data: [UInt8]) -> [UInt8] {
        let chunks = stride(from: 0, to: data.count, by: 56).map { Array(data[$0..<min($0 + 56, data.count)]) }
        return chunks.enumerated().flatMap { index, chunk -> [UInt8] in
            var report = [UInt8](repeating: 0, count: 64)
            report[0] = 2
            report[1] = UInt8(chunk.count)
            report.replaceSubrange(2..<(2 + chunk.count), with: chunk)
            report[63] = index < chunks.count - 1 ? 1 : 0
            return report
        }
    }
}
