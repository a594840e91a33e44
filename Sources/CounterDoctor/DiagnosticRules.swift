import CounterAPIModels
import CounterCore
import Foundation

/// What the daemon found out about its own health, for `counterctl doctor`. Gathered by counterd's
/// diagnostics controller (`GET /api/v1/diagnostics`); judged by ``DiagnosticRules``.
public struct DiagnosticFacts: Sendable {
    public init() {}

    /// How far the clock may be off before the ledger flags redemptions `clock_suspect` (`Ledger.clockTolerance`).
    public var clockTolerance: TimeInterval = 2 * 3600
    /// The hub, when the counter is enrolled.
    public var hubURL: String?
    public var isDemo = false
    /// The answer of a fresh hub probe: this clock's offset, or why the hub could not be reached.
    public var hubProbe: HubProbe?
    public var lastSyncOffset: TimeInterval?
    /// The latest trustworthy time the ledger has seen, and now: a clock set back below it is a problem.
    public var clockHighWater: Date?
    public var lastCompleteSyncAt: Date?
    public var maxDataAge: TimeInterval?
    public var lastSyncError: String?
    public var stateDirectory = ""
    public var disk: DiskSpace?
    public var diskError: String?
    /// `PRAGMA quick_check` rows, or why it could not run.
    public var quickCheck: [String] = ["ok"]
    public var quickCheckError: String?
    /// Why the upload queue or the sync state could not be read (a damaged ledger).
    public var ledgerError: String?
    /// The shop's own scanner profiles (`usb_scanners.profiles_directory`), which the rules must include.
    public var localProfilesDirectory: String?
    public var ledgerBytes: Int64?
    public var outboxPending = 0
    public var oldestPendingAt: Date?
    public var deadLetters: [StatusResponse.DeadLetterInfo] = []
    public var deadLetterCount = 0
    /// The CUPS queues; `nil` when printing is off.
    public var printers: PrintersResponse?
    public var printing: PrintingStatus?
    public var devices = DevicesResponse(scanners: [], unmatched: [], usbMonitor: "off", printer: nil)
    public var hasTerminalSource = false
    public var udevRules = UdevRulesState.missing(searched: [])
    /// The group owning each scanner node counterd may not open.
    public var nodeGroups: [String: String] = [:]
    /// The last shift or day close and its 对账; `nil` before the first close.
    public var reconciliation: StatusResponse.ReconciliationInfo?
    public var now = Date()

    public enum HubProbe: Sendable {
        case reached(offset: TimeInterval, roundTrip: Duration)
        case failed(String)
    }

    public struct DiskSpace: Sendable {
        public init(freeBytes: Int64, totalBytes: Int64) {
            self.freeBytes = freeBytes
            self.totalBytes = totalBytes
        }

        public var freeBytes: Int64
        public var totalBytes: Int64
    }

    public enum UdevRulesState: Sendable, Equatable {
        case current(path: String)
        case outdated(path: String, profiles: Int)
        case missing(searched: [String])
        /// No scanner profiles were found, so there is nothing to compare with.
        case noProfiles
    }
}

/// Turns ``DiagnosticFacts`` into checks with fixes. Pure, so every misconfiguration has a unit test.
public enum DiagnosticRules {
    /// The command that enrolls a counter installed from the package.
    static let enrollCommand = "sudo -u counterd counterd enroll --config /etc/counterd/counterd.yaml --hub URL --code CODE"

    /// The commands that install rules for the installed profiles (and the shop's own, when configured).
    static func udevFix(_ facts: DiagnosticFacts) -> String {
        let local = facts.localProfilesDirectory.map { " --profiles-directory \($0)" } ?? ""
        return "sudo sh -c 'counterd udev-rules\(local) > /etc/udev/rules.d/70-counterd-scanners.rules' "
            + "&& sudo udevadm control --reload && sudo udevadm trigger --action=add"
    }

    /// The fix when the ledger cannot be read or is damaged.
    static func ledgerFix(_ facts: DiagnosticFacts) -> String {
        let ledger = (facts.stateDirectory as NSString).appendingPathComponent("ledger.sqlite")
        return "sudo systemctl stop counterd; copy \(ledger) aside and contact the platform. Never delete it: "
            + "redemptions not yet uploaded are inside"
    }
    /// Less free space than this in the state directory is a problem.
    static let minimumFreeBytes: Int64 = 100 * 1024 * 1024
    static let minimumFreeFraction = 0.05
    /// A clock this far off the hub's is worth fixing; past ``DiagnosticFacts/clockTolerance`` it is a problem.
    static let clockWarning: TimeInterval = 120
    /// An upload queue whose oldest event waits longer than this is reported.
    static let uploadWait: TimeInterval = 3600

    public static func evaluate(_ facts: DiagnosticFacts) -> [DoctorCheck] {
        [enrolled(facts), hub(facts), clock(facts), dataAge(facts), disk(facts), database(facts), uploadQueue(facts),
         deadLetters(facts), reconciliation(facts), cups(facts), printerQueue(facts), printer(facts), scanners(facts), scannerAccess(facts),
         udevRules(facts)]
    }

    static func enrolled(_ facts: DiagnosticFacts) -> DoctorCheck {
        if let hub = facts.hubURL { return DoctorCheck("enrolled", .ok, "enrolled with \(hub)") }
        if facts.isDemo { return DoctorCheck("enrolled", .ok, "demo counter: not enrolled, nothing is uploaded") }
        return DoctorCheck("enrolled", .problem, "not enrolled: redemptions are kept here but never reach the platform",
                           fix: "sudo systemctl stop counterd; remove device.id and device.shop from the configuration and set "
                                + "state_directory to a new empty directory (enroll refuses a ledger made before enrollment; "
                                + "keep the old one), then " + enrollCommand + " and sudo systemctl start counterd")
    }

    static func hub(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard let url = facts.hubURL else { return DoctorCheck("hub", .skipped, "not enrolled") }
        let fix = "check the network, DNS and any proxy on the way to \(url) (curl -sS \(url)/v1/time), then counterctl sync"
        switch facts.hubProbe {
        case .reached(_, let roundTrip)?:
            // The probe needs no credential: a hub that answers may still refuse this counter's syncs.
            if let error = facts.lastSyncError, error.contains("HTTP 401") {
                return DoctorCheck("hub", .problem, "\(url) answers (\(milliseconds(roundTrip)) ms) but refuses this counter: \(error)",
                                   fix: credentialFix(facts))
            }
            return DoctorCheck("hub", .ok, "\(url) answered in \(milliseconds(roundTrip)) ms")
        case .failed(let reason)?:
            return DoctorCheck("hub", .problem, "cannot reach \(url): \(reason)", fix: fix)
        case nil:
            if let error = facts.lastSyncError {
                return DoctorCheck("hub", .problem, "the last sync with \(url) failed: \(error)", fix: fix)
            }
            return DoctorCheck("hub", .ok, "the last sync with \(url) succeeded (not probed now)")
        }
    }

    /// What to do when the hub refuses this counter's credential (revoked, or unknown after a hub reset).
    static func credentialFix(_ facts: DiagnosticFacts) -> String {
        "ask the platform for a new enrollment code; then sudo systemctl stop counterd, set state_directory to a new empty "
            + "directory (keep the old one: it holds the redemptions not yet uploaded), "
            + enrollCommand + " and sudo systemctl start counterd"
    }

    static func clock(_ facts: DiagnosticFacts) -> DoctorCheck {
        if let highWater = facts.clockHighWater, facts.now < highWater - facts.clockTolerance {
            return DoctorCheck("clock", .problem,
                               "this clock is \(describe(seconds: highWater.timeIntervalSince(facts.now))) behind the latest time this "
                               + "counter has seen (\(RFC3339.string(highWater))): it was set back; codes are judged at that time "
                               + "and redemptions are flagged clock_suspect",
                               fix: "sudo timedatectl set-ntp true, or set the right time with sudo timedatectl set-time")
        }
        var offset = facts.lastSyncOffset
        if case .reached(let measured, _)? = facts.hubProbe { offset = measured }
        guard let offset else {
            return DoctorCheck("clock", .skipped, facts.hubURL == nil ? "not enrolled: no hub clock to compare with"
                                                                   : "no answer from the hub yet to compare the clock with")
        }
        let fix = "sudo timedatectl set-ntp true (then `timedatectl status` shows: System clock synchronized: yes)"
        let words = "this clock is \(describe(seconds: abs(offset))) \(offset > 0 ? "behind" : "ahead of") the hub's"
        if abs(offset) > facts.clockTolerance {
            return DoctorCheck("clock", .problem, words + "; redemptions are flagged clock_suspect", fix: fix)
        }
        if abs(offset) > clockWarning { return DoctorCheck("clock", .warning, words + "; receipts show the wrong time", fix: fix) }
        return DoctorCheck("clock", .ok, "within \(Int(saturating: max(1, abs(offset).rounded(.up)))) s of the hub's clock")
    }

    static func dataAge(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard facts.hubURL != nil else { return DoctorCheck("data_age", .skipped, "not enrolled") }
        if let error = facts.ledgerError {
            return DoctorCheck("data_age", .problem, "cannot read the sync state: \(error)", fix: ledgerFix(facts))
        }
        guard let last = facts.lastCompleteSyncAt else {
            return DoctorCheck("data_age", .problem, "never synced completely: codes issued online are unknown here",
                               fix: "counterctl sync (and see the hub check)")
        }
        let age = facts.now.timeIntervalSince(last)
        let limit = facts.maxDataAge.map { " (the platform allows \(describe(seconds: $0)))" } ?? ""
        if let maxAge = facts.maxDataAge, age > maxAge {
            return DoctorCheck("data_age", .problem, "the synced data is \(describe(seconds: age)) old\(limit)",
                               fix: "counterctl sync (and see the hub check)")
        }
        return DoctorCheck("data_age", .ok, "synced \(describe(seconds: age)) ago\(limit)")
    }

    static func disk(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard let disk = facts.disk else {
            return DoctorCheck("disk", .problem, "cannot measure the space in \(facts.stateDirectory): \(facts.diskError ?? "unknown")",
                               fix: "check that \(facts.stateDirectory) exists and belongs to the counterd user (sudo systemd-tmpfiles --create)")
        }
        let fraction = disk.totalBytes > 0 ? Double(disk.freeBytes) / Double(disk.totalBytes) : 0
        let words = "\(disk.freeBytes / 1_048_576) MB free (\(Int((fraction * 100).rounded())) %) in \(facts.stateDirectory)"
        if disk.freeBytes < minimumFreeBytes || fraction < minimumFreeFraction {
            return DoctorCheck("disk", .problem, words + ": redemptions fail when the disk is full",
                               fix: "free space on that file system, e.g. sudo journalctl --vacuum-size=100M && sudo apt-get clean; "
                                    + "then df -h \(facts.stateDirectory)")
        }
        return DoctorCheck("disk", .ok, words)
    }

    static func database(_ facts: DiagnosticFacts) -> DoctorCheck {
        let ledger = (facts.stateDirectory as NSString).appendingPathComponent("ledger.sqlite")
        if let error = facts.quickCheckError {
            return DoctorCheck("database", .problem, "PRAGMA quick_check could not run: \(error)", fix: ledgerFix(facts))
        }
        guard facts.quickCheck == ["ok"] else {
            let shown = facts.quickCheck.prefix(3).joined(separator: "; ")
            return DoctorCheck("database", .problem, "PRAGMA quick_check found damage: \(shown)", fix: ledgerFix(facts))
        }
        let size = facts.ledgerBytes.map { ", \($0 / 1_048_576) MB" } ?? ""
        return DoctorCheck("database", .ok, "PRAGMA quick_check: ok (\(ledger)\(size))")
    }

    static func uploadQueue(_ facts: DiagnosticFacts) -> DoctorCheck {
        if let error = facts.ledgerError {
            return DoctorCheck("upload_queue", .problem, "cannot read the upload queue: \(error)", fix: ledgerFix(facts))
        }
        guard facts.hubURL != nil else {
            return DoctorCheck("upload_queue", .skipped, "not enrolled: \(facts.outboxPending) event(s) kept here")
        }
        guard facts.outboxPending > 0 else { return DoctorCheck("upload_queue", .ok, "empty: everything is uploaded") }
        let words = "\(facts.outboxPending) event(s) waiting for upload"
        if let oldest = facts.oldestPendingAt, facts.now.timeIntervalSince(oldest) > uploadWait {
            return DoctorCheck("upload_queue", .warning,
                               words + ", the oldest for \(describe(seconds: facts.now.timeIntervalSince(oldest))); they are kept and sent when the hub answers",
                               fix: "counterctl sync (and see the hub check)")
        }
        return DoctorCheck("upload_queue", .ok, words)
    }

    /// How long a close may wait for its 对账 before it is reported.
    static let reconciliationWait: TimeInterval = 24 * 3600

    static func reconciliation(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard facts.hubURL != nil else { return DoctorCheck("reconciliation", .skipped, "not enrolled") }
        guard let last = facts.reconciliation else {
            return DoctorCheck("reconciliation", .ok, "no shift or day close yet (the day close runs at shifts.day_close)")
        }
        let close = "the \(last.kind) close \(last.shiftId)"
        switch last.status {
        case "matched":
            return DoctorCheck("reconciliation", .ok, "对账一致: the hub holds every event of \(close)")
        case "mismatched":
            return DoctorCheck("reconciliation", .warning, "对账不一致: the hub lacks \(last.missingEvents) event(s) of \(close)",
                               fix: "counterctl sync sends them again with the close; if it stays mismatched, give the platform the "
                                    + "shift id and `counterctl shift report --json`")
        default:
            if let closed = last.closedAt, facts.now.timeIntervalSince(closed) > reconciliationWait {
                return DoctorCheck("reconciliation", .warning,
                                   "待对账: \(close) has waited \(describe(seconds: facts.now.timeIntervalSince(closed))) for the hub's answer",
                                   fix: "counterctl sync (and see the hub check)")
            }
            return DoctorCheck("reconciliation", .ok, "待对账: \(close) is waiting for the hub's answer")
        }
    }

    static func deadLetters(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard facts.hubURL != nil else { return DoctorCheck("dead_letters", .skipped, "not enrolled") }
        if facts.ledgerError != nil { return DoctorCheck("dead_letters", .skipped, "the upload queue cannot be read") }
        guard facts.deadLetterCount > 0 else { return DoctorCheck("dead_letters", .ok, "none") }
        let ids = facts.deadLetters.prefix(5).map { "\($0.eventId) (\($0.reason ?? $0.kind))" }.joined(separator: ", ")
        return DoctorCheck("dead_letters", .problem, "\(facts.deadLetterCount) event(s) refused by the hub for good: \(ids)",
                           fix: "`counterctl outbox list` shows why; once the platform has fixed the cause, "
                                + "`counterctl outbox retry --all` sends them again (they are kept until then)")
    }

    static func cups(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard let printers = facts.printers, printers.printingEnabled else {
            return DoctorCheck("cups", .skipped, "printing is off (no printer: section)")
        }
        if printers.cupsReachable == false {
            return DoctorCheck("cups", .problem, "CUPS at \(printers.cupsServer) does not answer: \(printers.error ?? "")",
                               fix: "sudo systemctl enable --now cups (then lpstat -r says: scheduler is running)")
        }
        return DoctorCheck("cups", .ok, "CUPS at \(printers.cupsServer) answers with \(printers.destinations.count) queue(s)")
    }

    static func printerQueue(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard let printers = facts.printers, printers.printingEnabled else {
            return DoctorCheck("printer_queue", .skipped, "printing is off")
        }
        guard printers.cupsReachable != false else { return DoctorCheck("printer_queue", .skipped, "CUPS does not answer") }
        guard let used = printers.used, let queue = printers.destinations.first(where: { $0.name == used }) else {
            let name = printers.configured ?? "receipt"
            let what = printers.configured.map { "CUPS has no queue \"\($0)\"" } ?? "CUPS has no default queue and printer.destination is not set"
            return DoctorCheck("printer_queue", .problem, what,
                               fix: "find the printer with `sudo lpinfo -v`, then sudo lpadmin -p \(name) -E -v 'URI' "
                                    + "-o printer-error-policy=retry-job (e.g. usb://Printer/POS-58 or socket://192.168.1.50:9100; "
                                    + "retry-job prints a receipt interrupted by an unplugged printer once it is back); docs/printers.md")
        }
        if queue.state == "stopped" || !queue.acceptingJobs {
            let reasons = queue.stateReasons.filter { $0 != "none" }.joined(separator: ", ")
            return DoctorCheck("printer_queue", .problem,
                               "queue \"\(used)\" is \(queue.state)\(queue.acceptingJobs ? "" : " and refuses jobs")"
                                + (reasons.isEmpty ? "" : " (\(reasons))"),
                               fix: "sudo cupsenable \(used) && sudo cupsaccept \(used); so that an unplugged printer does not "
                                    + "stop it again: sudo lpadmin -p \(used) -o printer-error-policy=retry-job")
        }
        return DoctorCheck("printer_queue", .ok, "queue \"\(used)\" is \(queue.state)\(queue.deviceUri.map { " at \($0)" } ?? "")")
    }

    static func printer(_ facts: DiagnosticFacts) -> DoctorCheck {
        guard let printing = facts.printing else { return DoctorCheck("printer", .skipped, "printing is off") }
        if printing.pending > 0, let oldest = printing.oldestPendingAt, facts.now.timeIntervalSince(oldest) > 30 {
            return DoctorCheck("printer", .problem,
                               "\(printing.pending) receipt(s) waiting for the printer: \(printing.lastError ?? "no answer yet")",
                               fix: "switch the printer on, check paper and cable, then counterctl printers; the receipts print by themselves")
        }
        if printing.failed > 0 {
            return DoctorCheck("printer", .warning, "\(printing.failed) receipt(s) could not be printed",
                               fix: "counterctl history, then counterctl receipt reprint REDEMPTION_ID")
        }
        return DoctorCheck("printer", .ok, "\(printing.printed) receipt(s) printed, none waiting (profile \(printing.profile))")
    }

    static func scanners(_ facts: DiagnosticFacts) -> DoctorCheck {
        let reading = facts.devices.scanners.filter { $0.state == "reading" }
        let unmatched = facts.devices.unmatched.map { "\($0.vendorProduct) \($0.product ?? "")" }
        let unmatchedWords = unmatched.isEmpty ? "" : "; USB devices no profile matches: \(unmatched.joined(separator: ", "))"
        if !reading.isEmpty {
            let names = reading.map { "\($0.source) (\($0.transport))" }.joined(separator: ", ")
            return DoctorCheck("scanners", .ok, "\(reading.count) reading: \(names)\(unmatchedWords)")
        }
        if facts.hasTerminalSource {
            return DoctorCheck("scanners", .ok, "codes typed on the terminal; no other scanner reading\(unmatchedWords)")
        }
        let usb = facts.devices.usbMonitor == "no_usb" ? " (this kernel has no USB)" : ""
        return DoctorCheck("scanners", .problem, "no scanner is reading\(usb)\(unmatchedWords)",
                           fix: unmatched.isEmpty
                               ? "plug the scanner in; counterctl devices lists it within 2 s (docs/scanners.md)"
                               : "add a profile for the unmatched scanner (docs/scanners.md, drivers/scanners/), then \(udevFix(facts))")
    }

    static func scannerAccess(_ facts: DiagnosticFacts) -> DoctorCheck {
        let denied = facts.devices.scanners.filter(\.permissionDenied)
        guard !denied.isEmpty else {
            return DoctorCheck("scanner_access", .ok, facts.devices.scanners.isEmpty ? "no scanner to open" : "counterd opens every scanner")
        }
        let nodes = denied.flatMap(\.nodes)
        let groups = Set(nodes.compactMap { facts.nodeGroups[$0] }).subtracting(["counterd"]).sorted()
        var fix: String
        switch facts.udevRules {
        case .current:
            // The rules are right: the device appeared before them, or was not triggered since.
            fix = "sudo udevadm control --reload && sudo udevadm trigger --action=add, then unplug and replug the scanner"
        default:
            fix = udevFix(facts)
        }
        if !groups.isEmpty {
            fix = groups.map { "sudo usermod -aG \($0) counterd" }.joined(separator: " && ") + " && sudo systemctl restart counterd"
                + " (or, for a USB scanner, " + udevFix(facts) + ")"
        }
        let owners = nodes.map { node in facts.nodeGroups[node].map { "\(node) (group \($0))" } ?? node }
        return DoctorCheck("scanner_access", .problem, "counterd may not open \(owners.joined(separator: ", "))", fix: fix)
    }

    static func udevRules(_ facts: DiagnosticFacts) -> DoctorCheck {
        let noUSB = facts.devices.usbMonitor == "no_usb"
        switch facts.udevRules {
        case .current(let path):
            return DoctorCheck("udev_rules", .ok, "\(path) matches the installed scanner profiles")
        case .outdated(let path, let profiles):
            return DoctorCheck("udev_rules", .warning,
                               "\(path) differs from the rules for the \(profiles) installed scanner profiles: new scanners may stay root-only",
                               fix: udevFix(facts))
        case .missing(let searched):
            return DoctorCheck("udev_rules", noUSB ? .warning : .problem,
                               "no 70-counterd-scanners.rules in \(searched.joined(separator: ", ")): USB scanners stay root-only"
                                + (noUSB ? " (this kernel has no USB, so nothing needs them now)" : ""),
                               fix: udevFix(facts))
        case .noProfiles:
            return DoctorCheck("udev_rules", .warning, "no scanner profiles found, so no rules to compare",
                               fix: "reinstall the package (profiles live in /usr/share/counterd/scanners)")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    /// "42 s", "17 min", "5 h", "3 days".
    static func describe(seconds: TimeInterval) -> String {
        switch seconds {
        case ..<120: return "\(Int(saturating: seconds.rounded())) s"
        case ..<7200: return "\(Int(saturating: (seconds / 60).rounded())) min"
        case ..<172_800: return "\(Int(saturating: (seconds / 3600).rounded())) h"
        default: return "\(Int(saturating: (seconds / 86_400).rounded())) days"
        }
    }
}
