import CounterAPIModels
import CounterCore
import CounterLedger
import CounterReceipts
import CounterScan
import CounterSync
import Foundation

extension Redeemer {
    /// The daemon's health checks for `counterctl doctor`: sync, disk, ledger, upload queue, printer, scanners, udev rules.
    /// - Parameter probeHub: ask the hub for its time now (up to 10 s) rather than trust the last sync.
    public func diagnostics(probeHub: Bool) async throws -> DiagnosticsResponse {
        var facts = DiagnosticFacts()
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
            facts.deadLetters = try await ledger.deadLetters(limit: 5).map {
                .init(eventId: $0.eventID, kind: $0.kind.rawValue, reason: $0.reason, failedAt: $0.failedAt)
            }
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
        if let receipts, receipts.configuration.enabled {
            facts.printers = await receipts.printers()
            facts.printing = try? await receipts.status()
        }
        facts.devices = try await devices()
        for node in facts.devices.scanners.filter(\.permissionDenied).flatMap(\.nodes) {
            facts.nodeGroups[node] = Self.groupName(of: node)
        }
        facts.udevRules = Self.udevRulesState(profileDirectories: configuration.usbScanners.profileDirectories)
        return DiagnosticsResponse(checks: DiagnosticRules.evaluate(facts))
    }

    /// The Prometheus text of `GET /metrics`, with queue, sync, printer and scanner state read now.
    public func metrics() async throws -> String {
        let outbox = try await ledger.outboxCounts()
        var age: Int?
        if syncer != nil, let last = try await ledger.syncState().lastCompleteSyncAt {
            age = Int(saturating: Date().timeIntervalSince(last))
        }
        var receiptJobs: [String: Int] = [:]
        if let receipts, receipts.configuration.enabled {
            let printing = try await receipts.status()
            receiptJobs = ["pending": printing.pending, "submitted": printing.submitted, "printed": printing.printed,
                           "failed": printing.failed]
        }
        var scannerStates: [String: Int] = [:]
        for scanner in try await devices().scanners { scannerStates[scanner.state, default: 0] += 1 }
        return metrics.exposition(.init(uploadQueue: outbox.pending, deadLetters: outbox.dead, lastSyncAgeSeconds: age,
                                        enrolled: syncer != nil, receipts: receiptJobs, scanners: scannerStates))
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
