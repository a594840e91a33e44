import CounterCore
import CounterAPIModels
import CounterTestSupport
import Foundation
import Testing

/// Scanners in the real `counterd`: a serial scanner on a real pty, a configured scanner that is not
/// there, `counterctl devices`, and the device events on the API's event stream.
@Suite(.serialized) struct ScannerIntegrationTests {
    func devices(_ daemon: RunningDaemon) async throws -> (DevicesResponse, CommandResult) {
        let result = try await daemon.ctl("devices", "--json")
        return (try WireJSON.decoder().decode(DevicesResponse.self, from: Data(result.stdout.utf8)), result)
    }

    @Test func devicesListsEachScannerWithStateLastScanAndTheFix() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["front"], extraYAML: """
              - name: back
                type: serial
                path: /dev/ttyACM-not-plugged-in

            """)
        daemon.ptys[0].write("DEMO-0002\r")
        try await daemon.waitForLog("verdict=", count: 1)
        try await daemon.waitForLog("scanner error")

        let (devices, result) = try await devices(daemon)
        #expect(result.status == 1, "a scanner that cannot be read makes `devices` fail")
        let front = try #require(devices.scanners.first { $0.source == "front" })
        #expect(front.state == "reading" && front.transport == "serial" && front.scans == 1 && front.lastScanAt != nil)
        #expect(front.nodes == [daemon.ptys[0].slavePath])
        let back = try #require(devices.scanners.first { $0.source == "back" })
        #expect(back.state == "error")
        #expect(back.problem?.contains("no such device") == true)
        #expect(back.fix?.contains("plugged in") == true)
        #expect(["no_usb", "rescan", "hotplug"].contains(devices.usbMonitor))
        #expect(devices.printer == nil)

        let text = try await daemon.ctl("devices")
        #expect(text.stdout.contains("scanner front [reading] serial"))
        #expect(text.stdout.contains("FIX: is the scanner plugged in"))
        let status = try WireJSON.decoder().decode(StatusResponse.self, from: Data(try await daemon.ctl("status", "--json").stdout.utf8))
        #expect(status.warnings.contains { $0.contains("scanner back cannot be read") })
        #expect(try await daemon.stop() == 0)
    }

    @Test func eventStreamCarriesTheDetachWhenTheScannerGoesAway() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["front"])
        let stream = Task {
            try await run(URL(fileURLWithPath: "/usr/bin/curl"),
                          ["-sN", "--max-time", "20", "--unix-socket", daemon.socketPath, "http://localhost/api/v1/events"],
                          timeout: .seconds(30))
        }
        try await Task.sleep(for: .milliseconds(700))
        daemon.ptys[0].close() // the scanner is unplugged
        try await daemon.waitForLog("scanner detached")
        // Stop before the source tries the path again: a closed pty's number soon belongs to another test.
        // The stop also ends the event stream, so curl returns.
        #expect(try await daemon.stop() == 0)
        let output = try await stream.value.stdout
        #expect(output.contains("event: device"))
        #expect(output.contains("\"kind\":\"detached\"") && output.contains("\"source\":\"front\""))
    }

    @Test func watchPrintsEachVerdictAndTheDetachAsJSONLines() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["front"])
        let watch = Task {
            try await run(Binaries.counterctl, ["watch", "--json", "--count", "3", "--timeout", "20", "--socket", daemon.socketPath],
                          timeout: .seconds(30))
        }
        try await Task.sleep(for: .milliseconds(1500))
        daemon.ptys[0].write("DEMO-0001\r")
        try await daemon.waitForLog("verdict=", count: 1)
        _ = try await daemon.ctl("redeem", "DEMO-0001")
        daemon.ptys[0].close() // the scanner is unplugged
        try await daemon.waitForLog("scanner detached")
        let result = try await watch.value
        #expect(try await daemon.stop() == 0)
        #expect(result.status == 0, "--count 3 reached: \(result.stderr)")
        struct Line: Decodable { var event: String }
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(try lines.map { try WireJSON.decoder().decode(Line.self, from: Data($0.utf8)).event } == ["verdict", "verdict", "device"])
        struct VerdictLine: Decodable { var data: VerdictEventMessage }
        struct DeviceLine: Decodable { var data: DeviceEventMessage }
        let first = try WireJSON.decoder().decode(VerdictLine.self, from: Data(lines[0].utf8)).data
        let second = try WireJSON.decoder().decode(VerdictLine.self, from: Data(lines[1].utf8)).data
        let third = try WireJSON.decoder().decode(DeviceLine.self, from: Data(lines[2].utf8)).data
        #expect(first.source == "front" && first.verdict.reason == "ok" && first.verdict.codeLast4 == "0001")
        #expect(second.source == "counterctl" && second.verdict.reason == "already_redeemed")
        #expect(third.kind == "detached" && third.source == "front")
    }

    @Test func watchWithATimeoutEndsWithStatusOneWhenTooFewEventsCame() async throws {
        let daemon = try await RunningDaemon()
        let result = try await daemon.ctl("watch", "--count", "1", "--timeout", "1")
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(try await daemon.stop() == 0)
    }

    @Test func hostileScannerInputGetsMalformedVerdictsAndTheNextScanStillRedeems() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["front"])
        daemon.ptys[0].write(String(repeating: "X", count: 4096) + "\r")          // a 4 KB scan
        daemon.ptys[0].write(String(repeating: "Y", count: 10_000) + "\r")        // longer than any frame
        daemon.ptys[0].write("\u{01}\u{02}\u{1B}[0m\u{7F}\r")                     // binary garbage
        daemon.ptys[0].write("DEMO-0001\r")
        do {
            try await daemon.waitForLog("verdict=", count: 4)
        } catch {
            Issue.record("counterd's log: \(daemon.stderr.suffix(4000))")
            throw error
        }
        let status = try WireJSON.decoder().decode(StatusResponse.self, from: Data(try await daemon.ctl("status", "--json").stdout.utf8))
        #expect(status.ledger.rejections == 3 && status.ledger.redemptions == 1)
        #expect(daemon.stderr.components(separatedBy: "reason=malformed").count - 1 == 3)
        #expect(try await daemon.stop() == 0)
    }

    @Test func udevRulesCommandPrintsTheCommittedRules() async throws {
        let result = try await run(Binaries.counterd, ["udev-rules"])
        #expect(result.status == 0)
        let committed = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("udev/70-counterd-scanners.rules").path,
            encoding: .utf8)
        #expect(result.stdout == committed)
    }
}
