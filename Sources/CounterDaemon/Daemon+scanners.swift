import CounterScan
import CounterUSB
import Logging

/// The scanner side of the daemon: the registry every source reports to, the configured sources, and
/// the USB manager that finds scanners by profile.
struct ScannerAssembly {
    let registry: ScannerRegistry
    let sources: [any ScanSource]
    let manager: ScannerManager?

    init(_ configuration: DaemonConfiguration, logger: Logger) async {
        let registry = ScannerRegistry { event in Self.log(event, logger: logger) }
        self.registry = registry
        sources = configuration.scanners.map { scanner -> any ScanSource in
            switch scanner {
            case .terminal(let name):
                return TerminalScanSource(name: name, logger: logger, registry: registry)
            case .serial(let serial):
                return SerialScanSource(configuration: serial, logger: logger, registry: registry)
            }
        }
        guard configuration.usbScanners.enabled else {
            manager = nil
            return
        }
        let profiles = ScannerProfiles.load(from: configuration.usbScanners.profileDirectories)
        for problem in profiles.problems {
            logger.error("scanner profile skipped", metadata: ["file": "\(problem.path)", "problem": "\(problem.problem)"])
        }
        logger.info("scanner profiles loaded", metadata: ["profiles": "\(profiles.profiles.count)",
                                                          "directories": "\(configuration.usbScanners.profileDirectories.joined(separator: ":"))"])
        let monitor = USBDeviceMonitor(sysfs: SysfsUSB(), rescanInterval: configuration.usbScanners.rescanInterval) { mode in
            Task { await Self.report(mode, to: registry, logger: logger) }
        }
        let claimed = configuration.scanners.compactMap { scanner -> String? in
            if case .serial(let serial) = scanner { return serial.path } else { return nil }
        }
        manager = ScannerManager(source: monitor, profiles: profiles, registry: registry, logger: logger, claimedPaths: claimed)
    }

    private static func report(_ mode: USBDeviceMonitor.Mode, to registry: ScannerRegistry, logger: Logger) async {
        switch mode {
        case .hotplug:
            await registry.setMonitor(mode: "hotplug", detail: nil)
            logger.info("watching USB", metadata: ["via": "libusb hotplug and sysfs rescans"])
        case .rescanOnly(let reason):
            await registry.setMonitor(mode: "rescan", detail: reason)
            logger.notice("watching USB by sysfs rescans only", metadata: ["reason": "\(reason)"])
        case .noUSB:
            await registry.setMonitor(mode: "no_usb", detail: "this kernel has no USB (/sys/bus/usb is missing)")
            logger.notice("no USB in this kernel: only configured scanners are read")
        }
    }

    /// Device events in the log: attach is info, detach a warning, errors an error with the fix.
    private static func log(_ event: DeviceEvent, logger: Logger) {
        let metadata: Logger.Metadata = ["device": "\(event.device)", "source": "\(event.source)",
                                         "detail": "\(event.message ?? "")"]
        switch event.kind {
        case .attached: logger.info("scanner attached", metadata: metadata)
        case .detached: logger.warning("scanner detached", metadata: metadata)
        case .error: logger.error("scanner error", metadata: metadata)
        }
    }
}
