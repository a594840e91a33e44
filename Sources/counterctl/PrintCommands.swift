import ArgumentParser
import CounterAPIModels
import CounterClient
import CounterPrint
import Foundation

extension Counterctl {
    struct Printers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the CUPS printer queues and the one counterd prints receipts to.")
        @OptionGroup var options: ConnectionOptions

        func run() async throws {
            let printers = try await perform { try await options.client.printers() }
            if options.json { return try printJSON(printers) }
            print(TextFormat.printers(printers))
            if printers.used == nil { throw CounterctlExit.rejected }
        }
    }

    struct PrintTest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "print-test",
            abstract: "Print a page that shows what a printer profile does: text, Chinese, sizes, QR codes and the cut.",
            discussion: "Try the profiles of drivers/printers/ until the page prints cleanly, then set printer.profile.")
        @Option(help: "The CUPS queue (default: the configured one, else the CUPS default).") var printer: String?
        @Option(help: "The printer profile id (default: the configured one).") var profile: String?
        @OptionGroup var options: ConnectionOptions

        func run() async throws {
            let job = try await perform { try await options.client.printTest(printer: printer, profile: profile) }
            if options.json { return try printJSON(job) }
            print("test page sent to \(job.printer) (CUPS job \(job.jobId)) with profile \(job.profile)")
        }
    }

    struct Receipt: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reprint or preview a redemption's receipt.", subcommands: [Reprint.self, Preview.self])

        struct Reprint: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the receipt again, marked 重打 REPRINT (the void slip if voided).")
            @Argument(help: "The redemption id.") var redemptionID: String
            @OptionGroup var options: ConnectionOptions

            func validate() throws { try validateRedemptionID(redemptionID) }

            func run() async throws {
                let queued = try await perform { try await options.client.reprint(redemptionID) }
                if options.json { return try printJSON(queued) }
                print("reprint of \(queued.redemptionId) (\(queued.kind)) queued; it prints as soon as the printer can")
            }
        }

        struct Preview: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show what the printer will print, decoded from the very bytes counterd sends.")
            @Argument(help: "The redemption id.") var redemptionID: String
            @Option(help: "Write the receipt as a PNG image to this file.") var png: String?
            @Flag(help: "Print the receipt as text (the default without --png).") var text = false
            @Flag(help: "Preview the reprint (marked 重打).") var reprint = false
            @OptionGroup var options: ConnectionOptions

            func validate() throws { try validateRedemptionID(redemptionID) }

            func run() async throws {
                let receipt = try await perform { try await options.client.receipt(redemptionID, reprint: reprint) }
                guard let bytes = Data(base64Encoded: receipt.escpos) else {
                    throw ValidationError("counterd sent receipt bytes that are not base64")
                }
                let decoded = EscPosDecoder.decode([UInt8](bytes))
                if let png {
                    let image = ReceiptPreview.render(decoded, paperWidthDots: receipt.paperWidthDots)
                    do {
                        try Data(PNGImage.data(image)).write(to: URL(fileURLWithPath: png))
                    } catch {
                        FileHandle.standardError.write(Data("counterctl: cannot write \(png): \(error.localizedDescription)\n".utf8))
                        throw ExitCode.failure
                    }
                    if BitmapFont.unifont == nil {
                        FileHandle.standardError.write(Data("counterctl: Unifont is not installed (apt-get install unifont); text is left blank\n".utf8))
                    }
                    if !options.json && !text {
                        print("\(png): \(image.width)×\(image.height) dots, profile \(receipt.profile), \(bytes.count) bytes of ESC/POS")
                    }
                }
                if options.json { return try printJSON(receipt) }
                if text || png == nil { print(decoded.text) }
            }
        }
    }
}

private func validateRedemptionID(_ id: String) throws {
    guard UUID(uuidString: id) != nil else {
        throw ValidationError("REDEMPTION_ID must be a UUID such as 0192f0c1-2a3b-7c4d-8e5f-0123456789ab")
    }
}
