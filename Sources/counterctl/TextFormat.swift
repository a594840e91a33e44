import CounterAPIModels
import CounterCore
import CounterSyncModels
import Foundation

/// Human-readable output of counterctl, with times in the shop's time zone.
enum TextFormat {
    static func verdict(_ verdict: VerdictResponse, timeZone: TimeZone) -> String {
        let time = ShopTimeFormatter(timeZone: timeZone)
        var lines = [verdict.isAccepted ? "✔ ACCEPTED 通过" : "✘ REJECTED 拒绝 [\(verdict.reason)]",
                     "  \(verdict.message.zh)", "  \(verdict.message.en)"]
        if let id = verdict.redemptionId {
            var detail = "  redemption \(id)"
            if let sequence = verdict.deviceSequence { detail += " · seq \(sequence)" }
            if let at = verdict.redeemedAt { detail += " · \(time.string(at)) (\(timeZone.identifier))" }
            lines.append(detail)
        }
        if let product = verdict.product { lines.append("  \(product)") }
        return lines.joined(separator: "\n")
    }

    static func sync(_ report: SyncNowReport) -> String {
        var lines: [String] = []
        if let download = report.download {
            lines.append("download: \(download.pages) page(s), \(download.tokens) token(s), \(download.revocations) revocation(s), "
                         + "\(download.tombstones) removed\(download.resync ? " (full resync)" : "") · position \(download.position)"
                         + (download.upToDate ? " · up to date" : ""))
        }
        if let error = report.downloadError { lines.append("download failed: \(error)") }
        if let upload = report.upload {
            lines.append("upload: \(upload.accepted) accepted, \(upload.duplicates) already there, \(upload.conflicts) conflict(s), "
                         + "\(upload.rejected) refused · hub has every event up to sequence \(upload.acknowledgedSequence)")
        }
        if let error = report.uploadError { lines.append("upload failed: \(error)") }
        return lines.joined(separator: "\n")
    }

    static func void(_ outcome: VoidResponse) -> String {
        let head = outcome.isVoided ? "✔ VOIDED 已撤销" : "✘ NOT VOIDED 未撤销 [\(outcome.status)]"
        return [head, "  \(outcome.message.zh)", "  \(outcome.message.en)"].joined(separator: "\n")
    }

    static func printers(_ printers: PrintersResponse) -> String {
        var lines = ["CUPS at \(printers.cupsServer); receipts \(printers.printingEnabled ? "on" : "off"), profile \(printers.profile)"]
        if printers.destinations.isEmpty { lines.append("no printer queues (add one: lpadmin -p receipt -E -v socket://PRINTER-IP:9100 -o printer-error-policy=retry-job; docs/printers.md)") }
        for destination in printers.destinations {
            let marks = [destination.isDefault ? "default" : nil, destination.name == printers.used ? "← counterd prints here" : nil]
                .compactMap { $0 }.joined(separator: ", ")
            let reasons = destination.stateReasons.isEmpty ? "" : " (\(destination.stateReasons.joined(separator: ", ")))"
            lines.append("\(destination.name): \(destination.state)\(reasons)\(destination.acceptingJobs ? "" : ", not accepting jobs")"
                         + " · \(destination.deviceUri ?? "?")\(marks.isEmpty ? "" : " · \(marks)")")
        }
        if let error = printers.error { lines.append("PROBLEM: \(error)") }
        return lines.joined(separator: "\n")
    }

    static func status(_ status: StatusResponse) -> String {
        let ledger = status.ledger
        var lines = [
            "counterd \(status.version) · device \(status.deviceId) · shop \(status.shopId) · \(status.timeZone)",
            "ledger: \(ledger.redemptions) redemptions, \(ledger.voids) voids, \(ledger.rejections) rejected scans, "
                + "last sequence \(ledger.lastSequence)",
            "cache: \(ledger.tokens) tokens, \(ledger.campaigns) campaigns, \(ledger.signingKeys) signing keys",
            "upload queue: \(ledger.outboxPending) waiting, \(ledger.outboxDead) dead letters",
            "void window: \(status.voidWindowSeconds / 60) min",
        ]
        if let sync = status.sync {
            let last = sync.lastCompleteSyncAt.map { "last complete sync \(ShopTimeFormatter(timeZone: TimeZone(identifier: status.timeZone) ?? .current).string($0))" } ?? "never synced"
            lines.append("hub \(sync.hubUrl): \(last), feed position \(sync.position)"
                         + (sync.resyncInProgress ? ", full resync in progress" : ""))
            lines.append("delivered \(sync.outboxDelivered) event(s), \(sync.outboxConflicts) conflict(s), \(sync.deadLetters.count) dead letter(s)")
        } else {
            lines.append("hub: not enrolled (counterd enroll --config FILE --hub URL --code CODE)")
        }
        if let printing = status.printing {
            lines.append("printer \(printing.destination ?? "(CUPS default)") via \(printing.cupsServer), profile \(printing.profile): "
                         + "\(printing.printed) printed, \(printing.submitted) printing, \(printing.pending) waiting, \(printing.failed) failed")
        } else {
            lines.append("printer: off (add a printer: section, see docs/printers.md)")
        }
        if let reconciliation = status.reconciliation {
            lines.append("reconciliation: \(reconciliationWords(reconciliation.status, missing: reconciliation.missingEvents)), "
                         + "\(reconciliation.kind) close \(reconciliation.shiftId)")
        }
        for warning in status.warnings { lines.append("WARNING: \(warning)") }
        if status.sources.isEmpty {
            lines.append("scanners: none configured")
        }
        for source in status.sources {
            lines.append("scanner \(source.name): \(source.kind)\(source.path.map { " \($0)" } ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    static func history(_ history: HistoryResponse, timeZone: TimeZone) -> String {
        guard !history.redemptions.isEmpty else { return "no redemptions yet" }
        let time = ShopTimeFormatter(timeZone: timeZone)
        var lines = ["SEQ   TIME (\(timeZone.identifier))  CODE   USES  CAMPAIGN                        STATE      STAFF            REDEMPTION ID"]
        for entry in history.redemptions {
            let state = entry.voidedAt != nil ? "voided" : (entry.uploadState ?? "-")
            let title = entry.campaignTitle ?? entry.campaignId
            let staff = entry.staffName ?? entry.staffId ?? "-"
            lines.append([pad("\(entry.deviceSequence)", 5), pad(time.string(entry.redeemedAt), 17),
                          pad("…" + entry.codeLast4, 6), pad("\(entry.uses)", 5), pad(title, 31), pad(state, 10), pad(staff, 16),
                          entry.redemptionId].joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// A shift's X or Z report as the 交班单 says it, in plain text.
    static func shift(_ report: ShiftReport, timeZone: TimeZone) -> String {
        let time = ShopTimeFormatter(timeZone: timeZone)
        let money = { (fen: Int) in Money(fen: fen).description }
        var lines = [
            (report.closedAt == nil ? "X report (shift so far)" : "Z report (\(report.kind == .day ? "day close" : "shift close"))")
                + " · shift \(report.shiftId)",
            "opened \(time.string(report.openedAt))" + (report.openedBy.map { " by \($0)" } ?? "")
                + (report.closedAt.map { " · closed \(time.string($0))" } ?? "") + (report.closedBy.map { " by \($0)" } ?? ""),
            "device sequences: " + (report.firstSequence.map { "\($0)–\(report.lastSequence ?? $0)" } ?? "none"),
        ]
        for campaign in report.campaigns {
            lines.append("  \(pad(campaign.title ?? campaign.campaignId, 30)) \(campaign.totals.count) redemptions, \(campaign.totals.uses) uses, "
                         + "face \(money(campaign.totals.faceValueFen)), reward \(money(campaign.totals.rewardFen))")
        }
        lines.append("redemptions: \(report.redemptions.count) (\(report.redemptions.uses) uses) · voids: \(report.voids.count) (\(report.voids.uses) uses)")
        lines.append("服务点奖励 shop reward: \(money(report.rewardFen))")
        if let training = report.training {
            lines.append("练习 training (counted nowhere): \(training.count) redemptions (\(training.uses) uses)")
        }
        if !report.rejections.isEmpty {
            lines.append("rejections: " + report.rejections.map { "\($0.reason) \($0.count)" }.joined(separator: ", "))
        }
        for member in report.staff {
            lines.append("  staff \(member.name ?? member.staffId ?? "nobody signed in"): \(member.redemptions) redemptions, "
                         + "\(member.uses) uses, \(member.voids) voids")
        }
        if let reconciliation = report.reconciliation {
            lines.append("对账 reconciliation: " + reconciliationWords(reconciliation.status, missing: reconciliation.missingSequences.count))
        }
        return lines.joined(separator: "\n")
    }

    /// A close's 对账 in words: `matched`, `mismatched` with how many events the hub lacks, or pending.
    static func reconciliationWords(_ status: String, missing: Int) -> String {
        switch status {
        case "matched": "对账一致 matched"
        case "mismatched": "对账不一致 mismatched: the hub lacks \(missing) event(s); counterd sends them again"
        default: "待对账 pending (not answered yet)"
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
