import CounterAPIModels
import CounterCore
import CounterDoctor
import CounterHTTP
import CounterLedger
import CounterReceipts
import CounterScan
import CounterSync
import Foundation
import Hummingbird

/// `GET /api/v1/diagnostics`: the daemon's health checks for `counterctl doctor` (sync, disk, ledger, upload queue,
/// printer, scanners, udev rules): the facts are gathered here and judged by CounterDoctor's ``DiagnosticRules``.
struct DiagnosticsController: Controller {
    let configuration: DaemonConfiguration
    let ledger: Ledger
    let syncer: Syncer?
    /// The hub as people may see it; `nil` when not enrolled.
    let hubURL: String?
    let receipts: ReceiptService
    let scanners: ScannerRegistry

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.group("api/v1").get("diagnostics") { request, _ in
            let probe = request.uri.queryParameters.get("probe_hub") != "false"
            return JSONResponse(try await diagnostics(probeHub: probe))
        }
    }

    /// - Parameter probeHub: ask the hub for its time now (up to 10 s) rather than trust the last sync.
    func diagnostics(probeHub: Bool) async throws -> DiagnosticsResponse {
        var facts = DiagnosticFacts()
        facts.clockTolerance = Ledger.clockTolerance
        facts.isDemo = configuration.loadDemoData
        facts.hasTerminalSource = configuration.hasTerminalSource
        facts.stateDirectory = configuration.stateDirectory
        facts.localProfilesDirectory = configuration.usbScanners.localProfilesDirectory
        // The integrity check first: on a damaged file the queries below may fail, and each failure is
        // reported by its own check instead of losing them all.
        do {
            facts.quickCheck = try await ledger.quickCheck()
        } catch {
            facts.quickCheckError = "\(error)"
        }
        facts.ledgerBytes = (try? FileManager.default.attributesOfItem(atPath: configuration.ledgerPath)[.size] as? Int64) ?? nil
        do {
            let outbox = try await ledger.outboxCounts()
            facts.outboxPending = outbox.pending
            facts.oldestPendingAt = outbox.oldestPendingAt
            facts.deadLetterCount = outbox.dead
            facts.clockHighWater = try await ledger.clockHighWater()
            facts.deadLetters = try await ledger.deadLetters(limit: 5).map(StatusResponse.DeadLetterInfo.init)
            facts.reconciliation = try await ledger.closedShifts(limit: 1).first.map(StatusResponse.ReconciliationInfo.init)
        } catch {
            facts.ledgerError = "\(error)"
        }
        if let hubURL, let syncer {
            facts.hubURL = hubURL
            do {
                let state = try await ledger.syncState()
                facts.lastSyncOffset = state.serverTimeOffset
                facts.lastCompleteSyncAt = state.lastCompleteSyncAt
                facts.maxDataAge = state.maxDataAge
                facts.lastSyncError = state.lastError
            } catch {
                facts.ledgerError = "\(error)"
            }
            if probeHub {
                do {
                    let probe = try await syncer.probeHub()
                    facts.hubProbe = .reached(offset: probe.offset, roundTrip: probe.roundTrip)
                } catch {
                    facts.hubProbe = .failed("\(error)")
                }
            }
        }
        do {
            facts.disk = try Self.diskSpace(at: configuration.stateDirectory)
        } catch {
            facts.diskError = "\(error)"
        }
        if receipts.configuration.enabled {
            facts.printers = await receipts.printers()
            facts.printing = try? await receipts.status()
        }
        facts.devices = try await DevicesController.report(scanners: scanners, receipts: receipts)
        for node in facts.devices.scanners.filter(\.permissionDenied).flatMap(\.nodes) {
            facts.nodeGroups[node] = Self.groupName(of: node)
        }
        facts.udevRules = Self.udevRulesState(profileDirectories: configuration.usbScanners.profileDirectories)
        return DiagnosticsResponse(checks: DiagnosticRules.evaluate(facts))
    }

    /// Free and total bytes of the file system holding `path`.
    static func diskSpace(at path: String) throws -> DiagnosticFacts.DiskSpace {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        let block = Int64(stats.f_frsize)
        return .init(freeBytes: Int64(stats.f_bavail) * block, totalBytes: Int64(stats.f_blocks) * block)
    }

    /// The group that owns a device node, by name when it has one; `nil` when it cannot be seen, or when it
    /// is the overflow group that stands for every group outside the service's user namespace
    /// (`PrivateUsers=yes`): joining that group would not help.
    static func groupName(of node: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: node) else { return nil }
        let id = (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue
        guard id != 65534 else { return nil }
        return (attributes[.groupOwnerAccountName] as? String) ?? id.map { "\($0)" }
    }

    /// Where udev looks for rules, in its order of precedence; `$COUNTERD_UDEV_RULES_DIRS` (colon-separated) replaces it.
    static func udevRulesDirectories(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let list = environment["COUNTERD_UDEV_RULES_DIRS"], !list.isEmpty {
            return list.split(separator: ":").map(String.init)
        }
        return ["/etc/udev/rules.d", "/run/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d"]
    }

    /// Whether the installed 70-counterd-scanners.rules (the first udev would read) matches the loaded profiles.
    static func udevRulesState(profileDirectories: [String],
                               rulesDirectories: [String] = udevRulesDirectories()) -> DiagnosticFacts.UdevRulesState {
        let name = "70-counterd-scanners.rules"
        guard let path = rulesDirectories.map({ ($0 as NSString).appendingPathComponent(name) })
            .first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            return .missing(searched: rulesDirectories)
        }
        let profiles = ScannerProfiles.load(from: profileDirectories).profiles
        guard !profiles.isEmpty else { return .noProfiles }
        let installed = try? String(contentsOfFile: path, encoding: .utf8)
        return installed == UdevRules.generate(for: profiles) ? .current(path: path) : .outdated(path: path, profiles: profiles.count)
    }
}
