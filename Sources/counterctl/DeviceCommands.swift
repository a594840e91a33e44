import ArgumentParser
import CounterAPIModels
import CounterClient
import CounterCore
import Foundation

extension Counterctl {
    struct Devices: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every scanner and the printer: transport, profile, state, last scan, and the fix for each problem.",
            discussion: "Exit status 1 when a scanner cannot be read or the printer is failing.")
        @OptionGroup var options: ConnectionOptions

        func run() async throws {
            let devices = try await perform { try await options.client.devices() }
            if options.json { try printJSON(devices) } else { print(TextFormat.devices(devices)) }
            if devices.scanners.contains(where: { $0.state == "error" }) || devices.printer?.state == "failing" {
                throw CounterctlExit.rejected
            }
        }
    }
}

extension TextFormat {
    static func devices(_ devices: DevicesResponse) -> String {
        var lines: [String] = []
        let monitor = switch devices.usbMonitor {
        case "hotplug": "USB: watched by hotplug"
        case "rescan": "USB: watched by rescans (\(devices.usbMonitorDetail ?? "libusb unavailable"))"
        case "no_usb": "USB: none in this kernel"
        default: "USB: not watched (usb_scanners.enabled is false)"
        }
        lines.append(monitor)
        if devices.scanners.isEmpty { lines.append("no scanners (plug one in; `counterctl devices` lists it within 2 s)") }
        for scanner in devices.scanners {
            let what = [scanner.transport, scanner.profile.map { "profile \($0)" }, scanner.vendorProduct, scanner.product]
                .compactMap { $0 }.joined(separator: " · ")
            let last = scanner.lastScanAt.map { "last scan \(ShopTimeFormatter(timeZone: .current).string($0))" } ?? "no scan yet"
            lines.append("scanner \(scanner.source) [\(scanner.state)] \(what) · \(scanner.nodes.joined(separator: " ")) · \(scanner.scans) scans, \(last)")
            if let problem = scanner.problem { lines.append("  PROBLEM: \(problem)") }
            if let fix = scanner.fix { lines.append("  FIX: \(fix)") }
        }
        for device in devices.unmatched {
            lines.append("unmatched USB device \(device.vendorProduct) \(device.product ?? "") at port \(device.port): "
                         + "no scanner profile; add one (docs/scanners.md)")
        }
        if let printer = devices.printer {
            lines.append("printer \(printer.destination ?? "(CUPS default)") [\(printer.state)] profile \(printer.profile)")
            if let problem = printer.problem { lines.append("  PROBLEM: \(problem)") }
        } else {
            lines.append("printer: off (no printer: section)")
        }
        return lines.joined(separator: "\n")
    }
}
