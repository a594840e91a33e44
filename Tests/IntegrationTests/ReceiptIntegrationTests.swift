import CounterCore
import CounterAPIModels
import CounterClient
import CounterCUPS
import CounterPrint
import CounterTestSupport
import Foundation
import Testing

/// The real counterd printing through a real private cupsd to a raw queue whose "printer" is a
/// TCP listener that keeps the bytes.
@Suite(.serialized, .enabled(if: PrivateCUPS.isInstalled, "needs cupsd (apt-get install cups)"))
struct ReceiptIntegrationTests {
    static func printerYAML(_ cups: PrivateCUPS, profile: String = "generic-58") -> String {
        """
        printer:
          destination: receipt
          cups_server: \(cups.server)
          profile: \(profile)

        """
    }

    @Test func aRedemptionPrintsItsReceiptThroughCUPS() async throws {
        let cups = try PrivateCUPS()
        let printer = try CaptureListener()
        try cups.addRawQueue("receipt", port: printer.port)
        let daemon = try await RunningDaemon(extraYAML: Self.printerYAML(cups))
        let redeemed = try await daemon.ctl("redeem", "DEMO-0001", "--json")
        #expect(redeemed.status == 0, "\(redeemed.stderr)")
        let verdict = try WireJSON.decoder().decode(VerdictResponse.self, from: Data(redeemed.stdout.utf8))
        let id = try #require(verdict.redemptionId)

        let jobs = await printer.waitForJobs(1)
        try #require(jobs.count == 1, "no receipt arrived; cupsd log: \(cups.log)\ncounterd: \(daemon.stderr)")
        let receipt = EscPosDecoder.decode(jobs[0])
        let text = receipt.lines.joined(separator: "\n")
        for expected in ["演示门店", "咖啡兑换券", "美式咖啡 Americano", "￥18.00", "本单服务点奖励", "￥2.00", "剩余次数", "it-counter", "…0001"] {
            #expect(text.contains(expected), "missing \(expected) in:\n\(text)")
        }
        #expect(receipt.qrPayloads == [id])
        #expect(receipt.cuts == 1)
        #expect(receipt.unknownCommands == 0)

        // The job is followed to the end and counted as printed.
        var printed = 0
        for _ in 0..<50 where printed == 0 {
            printed = try await daemon.client.status().printing?.printed ?? 0
            if printed == 0 { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(printed == 1)

        // A reprint is marked; a void prints a void slip.
        #expect(try await daemon.ctl("receipt", "reprint", id).status == 0)
        let void = try await daemon.ctl("void", id)
        #expect(void.status == 0, "\(void.stderr)")
        let all = await printer.waitForJobs(3)
        try #require(all.count == 3)
        #expect(EscPosDecoder.decode(all[1]).lines.contains { $0.contains("重打 REPRINT") })
        #expect(EscPosDecoder.decode(all[2]).lines.contains { $0.contains("撤销凭证 VOID") })
        #expect(EscPosDecoder.decode(all[2]).qrPayloads == [id])

        // Each receipt printed once: nothing more arrives.
        try await Task.sleep(for: .seconds(2))
        #expect(printer.received.count == 3)
        _ = try await daemon.stop()
    }

    @Test func redemptionsGoOnWhileCUPSIsDownAndTheReceiptsPrintWhenItIsBack() async throws {
        let cups = try PrivateCUPS()
        let printer = try CaptureListener()
        try cups.addRawQueue("receipt", port: printer.port)
        let daemon = try await RunningDaemon(extraYAML: Self.printerYAML(cups))
        cups.stop()
        // Make sure nothing answers on the CUPS port any more.
        let probe = CUPSClient(server: cups.server, connectTimeout: .seconds(1))
        for _ in 0..<50 where (try? await probe.destinations()) != nil { try await Task.sleep(for: .milliseconds(100)) }
        #expect((try? await probe.destinations()) == nil, "cupsd is still answering")

        let started = ContinuousClock.now
        var ids: [String] = []
        for _ in 0..<5 {
            let result = try await daemon.ctl("redeem", "CARD-0010", "--json")
            #expect(result.status == 0, "accepted while CUPS is down: \(result.stderr)")
            ids += [try WireJSON.decoder().decode(VerdictResponse.self, from: Data(result.stdout.utf8)).redemptionId ?? ""]
        }
        let elapsed = ContinuousClock.now - started
        #expect(elapsed < .seconds(10), "redemptions did not wait for the printer (\(elapsed))")
        var waiting = try await daemon.client.status().printing
        for _ in 0..<50 where waiting?.lastError == nil {
            try await Task.sleep(for: .milliseconds(100))
            waiting = try await daemon.client.status().printing
        }
        #expect(waiting?.pending == 5)
        #expect(waiting?.lastError?.contains("CUPS") == true)
        #expect(printer.received.isEmpty)

        try cups.start()
        let jobs = await printer.waitForJobs(5, timeout: .seconds(90))
        #expect(jobs.count == 5, "receipts after CUPS came back: \(jobs.count); counterd: \(daemon.stderr.suffix(2000))")
        #expect(Set(jobs.flatMap { EscPosDecoder.decode($0).qrPayloads }) == Set(ids))
        // Whatever arrived arrived once.
        let payloads = jobs.flatMap { EscPosDecoder.decode($0).qrPayloads }
        #expect(Set(payloads).count == payloads.count)
        #expect(Set(payloads).isSubset(of: Set(ids)))
        _ = try await daemon.stop()
    }

    @Test func aPrinterThatIsOffGetsItsReceiptWhenSwitchedOn() async throws {
        let cups = try PrivateCUPS()
        let printer = try CaptureListener()
        try cups.addRawQueue("receipt", port: printer.port)
        printer.stop()
        let daemon = try await RunningDaemon(extraYAML: Self.printerYAML(cups))
        let result = try await daemon.ctl("redeem", "DEMO-0002")
        #expect(result.status == 0)
        // CUPS holds the job and retries the printer; counterd hands it over once.
        var printing = try await daemon.client.status().printing
        for _ in 0..<50 where printing?.submitted != 1 {
            try await Task.sleep(for: .milliseconds(100))
            printing = try await daemon.client.status().printing
        }
        #expect(printing?.submitted == 1)
        #expect(printing?.pending == 0)
        try printer.restart()
        let jobs = await printer.waitForJobs(1, timeout: .seconds(60))
        #expect(jobs.count == 1, "cupsd log: \(cups.log)")
        try await Task.sleep(for: .seconds(1))
        #expect(printer.received.count == 1, "printed once")
        _ = try await daemon.stop()
    }

    @Test func previewShowsTheBytesAndItsQRDecodesWithZbar() async throws {
        let daemon = try await RunningDaemon()
        let redeemed = try await daemon.ctl("redeem", "DEMO-0001", "--json")
        let id = try #require(try WireJSON.decoder().decode(VerdictResponse.self, from: Data(redeemed.stdout.utf8)).redemptionId)

        let text = try await daemon.ctl("receipt", "preview", id, "--text")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("咖啡兑换券"))
        #expect(text.stdout.contains("[QR \(id)]"))
        #expect(text.stdout.contains("✂"))

        let png = daemon.directory + "/receipt.png"
        let image = try await daemon.ctl("receipt", "preview", id, "--png", png)
        #expect(image.status == 0, "\(image.stderr)")
        let zbar = "/usr/bin/zbarimg"
        if FileManager.default.isExecutableFile(atPath: zbar) {
            let scanned = try await run(URL(fileURLWithPath: zbar), ["--quiet", "--raw", png])
            #expect(scanned.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == id, "zbarimg: \(scanned.stderr)")
        } else {
            Issue.record("zbarimg is missing: apt-get install zbar-tools")
        }
        // Printing is off in this configuration: a reprint says so.
        let reprint = try await daemon.ctl("receipt", "reprint", id)
        #expect(reprint.status == 64)
        #expect(reprint.stderr.contains("printing is off"))
        #expect(try await daemon.ctl("receipt", "preview", "0192f0c1-2a3b-7c4d-8e5f-0123456789ab").status == 64)
        _ = try await daemon.stop()
    }

    @Test func printersAndThePrintTestPage() async throws {
        let cups = try PrivateCUPS()
        let printer = try CaptureListener()
        try cups.addRawQueue("receipt", port: printer.port, makeDefault: true)
        try cups.addRawQueue("kitchen", port: 9)
        let daemon = try await RunningDaemon(extraYAML: Self.printerYAML(cups))

        let listed = try await daemon.ctl("printers")
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("receipt: idle"))
        #expect(listed.stdout.contains("counterd prints here"))
        #expect(listed.stdout.contains("kitchen"))

        let sent = try await daemon.ctl("print-test", "--profile", "xprinter-xp80")
        #expect(sent.status == 0, "\(sent.stderr)")
        let jobs = await printer.waitForJobs(1)
        try #require(jobs.count == 1)
        let page = EscPosDecoder.decode(jobs[0])
        #expect(page.qrPayloads == ["COUNTERD-PRINT-TEST-NATIVE"])
        #expect(page.imageBands > 0, "bitmap text and bitmap QR")
        #expect(page.lines.contains { $0.contains("中文：核销成功") })
        #expect(page.lines.contains { $0.contains("xprinter-xp80") })
        #expect(page.cuts == 1)
        #expect(page.unknownCommands == 0)

        let unknown = try await daemon.ctl("print-test", "--profile", "no-such-printer")
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("generic-58"), "lists the known profiles")
        // Issue 15, item 4: only queues CUPS lists, and only profile ids, never a path.
        let noQueue = try await daemon.ctl("print-test", "--printer", "no-such-queue")
        #expect(noQueue.status == 64 && noQueue.stderr.contains("unknown_printer"), "\(noQueue.stderr)")
        let path = try await daemon.ctl("print-test", "--profile", "../../../../etc/passwd")
        #expect(path.status == 64 && path.stderr.contains("invalid_profile"), "\(path.stderr)")
        _ = try await daemon.stop()
    }
}
