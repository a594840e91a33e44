import CounterAPIModels
import CounterCore
@testable import CounterDoctor
import Foundation
import Testing

/// Every misconfiguration `counterctl doctor` names, judged from facts the daemon gathered.
@Suite struct DiagnosticRulesTests {
    static let daemonIDs: [String?] = LocalChecks.daemonCheckIDs

    /// A healthy enrolled counter with a printer and a scanner.
    var healthy: DiagnosticFacts {
        var facts = DiagnosticFacts()
        facts.hubURL = "https://engine.example.com/counter"
        facts.hubProbe = .reached(offset: 0.4, roundTrip: .milliseconds(35))
        facts.lastCompleteSyncAt = facts.now.addingTimeInterval(-90)
        facts.maxDataAge = 72 * 3600
        facts.stateDirectory = "/var/lib/counterd"
        facts.disk = .init(freeBytes: 20 << 30, totalBytes: 64 << 30)
        facts.printers = PrintersResponse(printingEnabled: true, cupsServer: "/run/cups/cups.sock", configured: "receipt",
                                          used: "receipt", profile: "generic-58",
                                          destinations: [.init(name: "receipt", isDefault: true, state: "idle", stateReasons: ["none"],
                                                               acceptingJobs: true, deviceUri: "usb://POS-58", info: nil)],
                                          error: nil)
        facts.printers?.cupsReachable = true
        facts.printing = PrintingStatus(destination: "receipt", profile: "generic-58", cupsServer: "/run/cups/cups.sock", pending: 0,
                                        submitted: 0, printed: 12, failed: 0, oldestPendingAt: nil, lastError: nil)
        facts.devices = DevicesResponse(scanners: [scanner()], unmatched: [], usbMonitor: "hotplug", printer: nil)
        facts.udevRules = .current(path: "/usr/lib/udev/rules.d/70-counterd-scanners.rules")
        return facts
    }

    func scanner(state: String = "reading", denied: Bool = false) -> DevicesResponse.ScannerInfo {
        DevicesResponse.ScannerInfo(id: "usb-1", source: "netum-1", transport: "hid_pos", profile: "netum-hidpos",
                                    vendorProduct: "0483:0011", product: "NETUM", nodes: ["/dev/hidraw0"], state: state,
                                    problem: nil, fix: nil, permissionDenied: denied, lastScanAt: nil, scans: 0)
    }

    func check(_ id: String, _ facts: DiagnosticFacts) -> DoctorCheck {
        DiagnosticRules.evaluate(facts).first { $0.id == id }!
    }

    @Test func aHealthyCounterPassesEveryCheckInTheDocumentedOrder() {
        let checks = DiagnosticRules.evaluate(healthy)
        #expect(checks.map(\.id) == LocalChecks.daemonCheckIDs)
        #expect(checks.allSatisfy { $0.outcome == .ok }, "\(checks.filter { $0.outcome != .ok })")
    }

    /// Issue 17: the last close's 对账, as the hub last answered it.
    @Test func reconciliationOfTheLastClose() throws {
        var facts = healthy
        #expect(check("reconciliation", facts).outcome == .ok, "no close yet")
        let report = ShiftReport(shiftId: "s-1", kind: .day, openedAt: facts.now.addingTimeInterval(-90_000), openedBy: nil,
                                 closedAt: facts.now.addingTimeInterval(-3600), closedBy: nil, firstSequence: 1, lastSequence: 9,
                                 campaigns: [], redemptions: .init(), voids: .init(), rejections: [], rewardFen: 0, staff: [],
                                 reconciliation: .init(status: "pending"))
        facts.reconciliation = .init(report)
        #expect(check("reconciliation", facts).outcome == .ok, "an hour without an answer is normal")
        var late = report
        late.closedAt = facts.now.addingTimeInterval(-25 * 3600)
        facts.reconciliation = .init(late)
        #expect(check("reconciliation", facts).outcome == .warning)
        var mismatched = report
        mismatched.reconciliation = .init(status: "mismatched", missingSequences: [3, 4])
        facts.reconciliation = .init(mismatched)
        let warning = check("reconciliation", facts)
        #expect(warning.outcome == .warning && warning.summary.contains("对账不一致") && warning.summary.contains("2 event(s)"))
        #expect(warning.fix?.contains("counterctl sync") == true)
        var matched = report
        matched.reconciliation = .init(status: "matched")
        facts.reconciliation = .init(matched)
        #expect(check("reconciliation", facts).summary.contains("对账一致"))
        facts.hubURL = nil
        #expect(check("reconciliation", facts).outcome == .skipped)
    }

    @Test func notEnrolled() {
        var facts = healthy
        facts.hubURL = nil
        let enrolled = check("enrolled", facts)
        #expect(enrolled.outcome == .problem)
        #expect(enrolled.fix?.contains("counterd enroll --config /etc/counterd/counterd.yaml") == true)
        #expect(check("hub", facts).outcome == .skipped)
        facts.isDemo = true
        #expect(check("enrolled", facts).outcome == .ok, "the demo is not enrolled on purpose")
    }

    @Test func hubUnreachable() {
        var facts = healthy
        facts.hubProbe = .failed("connection refused")
        let hub = check("hub", facts)
        #expect(hub.outcome == .problem)
        #expect(hub.summary.contains("connection refused"))
        #expect(hub.fix?.contains("counterctl sync") == true)
        facts.hubProbe = nil
        facts.lastSyncError = "timed out"
        #expect(check("hub", facts).outcome == .problem, "without a probe the last sync's error counts")
    }

    /// Issue 16, item 5: the probe needs no credential, so a hub that answers it may still refuse this counter.
    @Test func aHubThatAnswersButRefusesTheCredentialIsAProblem() {
        var facts = healthy
        facts.lastSyncError = "此设备已被停用 / device revoked by the platform (HTTP 401 device_revoked): …"
        let hub = check("hub", facts)
        #expect(hub.outcome == .problem)
        #expect(hub.summary.contains("此设备已被停用"))
        #expect(hub.fix?.contains("new enrollment code") == true)
        facts.lastSyncError = "hub busy (HTTP 503)"
        #expect(check("hub", facts).outcome == .ok, "a transient failure the probe no longer sees is not a problem")
    }

    /// Issue 15, item 13: a clock set back below the latest time the ledger has seen is a problem, probe or not.
    @Test func clockSetBackBelowTheHighWaterTime() {
        var facts = healthy
        facts.now = Date(timeIntervalSince1970: 1_795_000_000)
        facts.clockHighWater = facts.now + 3 * 86_400
        let problem = check("clock", facts)
        #expect(problem.outcome == .problem)
        #expect(problem.summary.contains("set back") && problem.summary.contains("3 days"))
        #expect(problem.fix?.contains("timedatectl") == true)
        facts.clockHighWater = facts.now + 600
        #expect(check("clock", facts).outcome != .problem, "within the tolerance")
    }

    @Test func clockOff() {
        var facts = healthy
        facts.hubProbe = .reached(offset: 600, roundTrip: .milliseconds(20))
        let warning = check("clock", facts)
        #expect(warning.outcome == .warning)
        #expect(warning.summary.contains("10 min behind"))
        #expect(warning.fix?.contains("timedatectl set-ntp true") == true)
        facts.hubProbe = .reached(offset: -3 * 3600, roundTrip: .milliseconds(20))
        let problem = check("clock", facts)
        #expect(problem.outcome == .problem)
        #expect(problem.summary.contains("ahead of"))
        #expect(problem.summary.contains("clock_suspect"))
        facts.hubProbe = nil
        facts.lastSyncOffset = 30
        #expect(check("clock", facts).outcome == .ok, "the last sync's offset counts without a probe")
    }

    @Test func staleOrMissingData() {
        var facts = healthy
        facts.lastCompleteSyncAt = facts.now.addingTimeInterval(-4 * 86_400)
        let stale = check("data_age", facts)
        #expect(stale.outcome == .problem)
        #expect(stale.summary.contains("4 days"))
        facts.lastCompleteSyncAt = nil
        #expect(check("data_age", facts).summary.contains("never synced"))
    }

    @Test func diskNearlyFull() {
        var facts = healthy
        facts.disk = .init(freeBytes: 50 << 20, totalBytes: 64 << 30)
        #expect(check("disk", facts).outcome == .problem)
        facts.disk = .init(freeBytes: 400 << 20, totalBytes: 16 << 30)
        #expect(check("disk", facts).outcome == .problem, "under 5 % free")
        facts.disk = nil
        facts.diskError = "No such file or directory"
        #expect(check("disk", facts).outcome == .problem)
    }

    @Test func damagedDatabase() {
        var facts = healthy
        facts.quickCheck = ["*** in database main ***", "Page 5: btreeInitPage() returns error code 11"]
        let damaged = check("database", facts)
        #expect(damaged.outcome == .problem)
        #expect(damaged.summary.contains("btreeInitPage"))
        #expect(damaged.fix?.contains("Never delete it") == true)
    }

    @Test func uploadQueueWaitingLongAndDeadLetters() {
        var facts = healthy
        facts.outboxPending = 3
        facts.oldestPendingAt = facts.now.addingTimeInterval(-5 * 3600)
        let queue = check("upload_queue", facts)
        #expect(queue.outcome == .warning)
        #expect(queue.summary.contains("5 h"))
        facts.oldestPendingAt = facts.now.addingTimeInterval(-60)
        #expect(check("upload_queue", facts).outcome == .ok, "a fresh queue is normal")
        facts.deadLetterCount = 2
        facts.deadLetters = [.init(eventId: "0192f0c1-aaaa", kind: "redemption", reason: "unknown_token", failedAt: nil)]
        let dead = check("dead_letters", facts)
        #expect(dead.outcome == .problem)
        #expect(dead.summary.contains("0192f0c1-aaaa (unknown_token)"))
    }

    @Test func cupsDownQueueMissingOrStopped() {
        var facts = healthy
        facts.printers?.cupsReachable = false
        facts.printers?.error = "cannot connect to CUPS"
        #expect(check("cups", facts).outcome == .problem)
        #expect(check("cups", facts).fix?.contains("systemctl enable --now cups") == true)
        #expect(check("printer_queue", facts).outcome == .skipped)

        facts = healthy
        facts.printers?.used = nil
        facts.printers?.destinations = []
        let missing = check("printer_queue", facts)
        #expect(missing.outcome == .problem)
        #expect(missing.summary == "CUPS has no queue \"receipt\"")
        #expect(missing.fix?.contains("sudo lpadmin -p receipt -E -v") == true)
        #expect(missing.fix?.contains("-o printer-error-policy=retry-job") == true)

        facts = healthy
        facts.printers?.destinations[0].state = "stopped"
        facts.printers?.destinations[0].stateReasons = ["paused"]
        let stopped = check("printer_queue", facts)
        #expect(stopped.outcome == .problem)
        #expect(stopped.fix == "sudo cupsenable receipt && sudo cupsaccept receipt; so that an unplugged printer does not "
                + "stop it again: sudo lpadmin -p receipt -o printer-error-policy=retry-job")
    }

    @Test func receiptsWaitingOrFailed() {
        var facts = healthy
        facts.printing?.pending = 2
        facts.printing?.oldestPendingAt = facts.now.addingTimeInterval(-300)
        facts.printing?.lastError = "printer is off"
        #expect(check("printer", facts).outcome == .problem)
        facts = healthy
        facts.printing?.failed = 1
        #expect(check("printer", facts).outcome == .warning)
        facts.printers = nil
        facts.printing = nil
        #expect(["cups", "printer_queue", "printer"].allSatisfy { check($0, facts).outcome == .skipped })
    }

    @Test func noScannerOrAnUnmatchedOne() {
        var facts = healthy
        facts.devices.scanners = []
        #expect(check("scanners", facts).outcome == .problem)
        facts.devices.unmatched = [.init(port: "1-2", vendorProduct: "1a86:e026", product: "Unknown HID")]
        let unmatched = check("scanners", facts)
        #expect(unmatched.summary.contains("1a86:e026"))
        #expect(unmatched.fix?.contains("add a profile") == true)
        facts.hasTerminalSource = true
        #expect(check("scanners", facts).outcome == .ok)
    }

    @Test func scannerNodeNotPermitted() {
        var facts = healthy
        facts.devices.scanners = [scanner(state: "error", denied: true)]
        let udev = check("scanner_access", facts)
        #expect(udev.outcome == .problem)
        #expect(udev.fix?.contains("udevadm trigger") == true)
        facts.nodeGroups = ["/dev/hidraw0": "dialout"]
        let group = check("scanner_access", facts)
        #expect(group.fix?.hasPrefix("sudo usermod -aG dialout counterd") == true)
        #expect(group.summary.contains("/dev/hidraw0 (group dialout)"))
    }

    @Test func aLedgerThatCannotBeReadIsNamedByEachCheckThatNeedsIt() {
        var facts = healthy
        facts.quickCheck = ["database disk image is malformed"]
        facts.ledgerError = "SQLite error 11: database disk image is malformed"
        #expect(check("database", facts).outcome == .problem)
        #expect(check("upload_queue", facts).outcome == .problem)
        #expect(check("upload_queue", facts).fix?.contains("Never delete it") == true)
        #expect(check("data_age", facts).outcome == .problem)
        #expect(check("dead_letters", facts).outcome == .skipped)
        #expect(check("disk", facts).outcome == .ok, "the other checks still run")
    }

    @Test func theUdevFixIncludesTheShopsOwnProfiles() {
        var facts = healthy
        facts.udevRules = .outdated(path: "/etc/udev/rules.d/70-counterd-scanners.rules", profiles: 18)
        facts.localProfilesDirectory = "/etc/counterd/scanners"
        #expect(check("udev_rules", facts).fix?.contains("counterd udev-rules --profiles-directory /etc/counterd/scanners >") == true)
        facts.devices.scanners = [scanner(state: "error", denied: true)]
        facts.udevRules = .current(path: "/usr/lib/udev/rules.d/70-counterd-scanners.rules")
        let access = check("scanner_access", facts)
        #expect(access.fix?.hasPrefix("sudo udevadm control --reload && sudo udevadm trigger") == true,
                "current rules need a trigger, not a copy in /etc")
    }

    @Test func theEnrollFixStartsFromAFreshStateDirectory() {
        var facts = healthy
        facts.hubURL = nil
        let fix = check("enrolled", facts).fix ?? ""
        #expect(fix.contains("new empty directory"))
        #expect(fix.contains("sudo systemctl stop counterd"))
    }

    @Test func udevRulesMissingOrOutdated() {
        var facts = healthy
        facts.udevRules = .missing(searched: ["/etc/udev/rules.d"])
        #expect(check("udev_rules", facts).outcome == .problem)
        facts.devices.usbMonitor = "no_usb"
        #expect(check("udev_rules", facts).outcome == .warning, "no USB: nothing needs them yet")
        facts.udevRules = .outdated(path: "/etc/udev/rules.d/70-counterd-scanners.rules", profiles: 12)
        let outdated = check("udev_rules", facts)
        #expect(outdated.outcome == .warning)
        #expect(outdated.fix?.contains("counterd udev-rules >") == true)
    }
}
