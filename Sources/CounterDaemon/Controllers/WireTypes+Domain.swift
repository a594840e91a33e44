import CounterAPIModels
import CounterCore
import CounterLedger
import CounterScan
import Foundation

// Each wire type of the local API built from its domain value, once. The wire types live in CounterAPIModels,
// which counterctl shares and which therefore knows no ledger or scanner types; the mapping lives here, beside
// the controllers that answer with them.

extension HistoryResponse.Entry {
    init(_ summary: RedemptionSummary) {
        self.init(redemptionId: summary.id.lowercasedString, deviceSequence: summary.deviceSequence,
                  redeemedAt: summary.redeemedAt, tokenId: summary.tokenID, campaignId: summary.campaignID,
                  campaignTitle: summary.campaignTitle, uses: summary.uses, codeLast4: summary.codeLastFour,
                  source: summary.source, voidedAt: summary.voidedAt, uploadState: summary.uploadState)
    }
}

extension VoidResponse {
    init(_ outcome: VoidOutcome, timeZone: TimeZone) {
        self.init(status: outcome.status.rawValue, message: outcome.message(in: timeZone),
                  redemptionId: outcome.redemptionID.lowercasedString, voidId: outcome.voidID?.lowercasedString,
                  deviceSequence: outcome.deviceSequence, voidedAt: outcome.voidedAt,
                  usesRestored: outcome.usesRestored, usesLeft: outcome.usesLeft)
    }
}

extension OutboxListResponse.Entry {
    init(_ entry: OutboxEntry) {
        self.init(eventId: entry.eventID, kind: entry.kind.rawValue, state: entry.state.rawValue, attempts: entry.attempts,
                  refusals: entry.refusals, lastError: entry.lastError, createdAt: entry.createdAt, failedAt: entry.failedAt)
    }
}

extension StatusResponse.DeadLetterInfo {
    init(_ letter: DeadLetter) {
        self.init(eventId: letter.eventID, kind: letter.kind.rawValue, reason: letter.reason, failedAt: letter.failedAt)
    }
}

extension DevicesResponse.ScannerInfo {
    init(_ status: ScannerStatus) {
        self.init(id: status.id, source: status.source, transport: status.transport, profile: status.profile,
                  vendorProduct: status.vendorProduct, product: status.product, nodes: status.nodes,
                  state: status.state.rawValue, problem: status.problem, fix: status.fix,
                  permissionDenied: status.permissionDenied, lastScanAt: status.lastScanAt, scans: status.scans)
    }
}

extension DevicesResponse.UnmatchedUSBDevice {
    init(_ device: UnmatchedDevice) {
        self.init(port: device.id, vendorProduct: device.vendorProduct, product: device.product)
    }
}

extension DeviceEventMessage {
    init(_ event: DeviceEvent) {
        self.init(kind: event.kind.rawValue, device: event.device, source: event.source, message: event.message, at: event.at)
    }
}
