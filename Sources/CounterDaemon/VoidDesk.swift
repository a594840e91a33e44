import CounterCore
import CounterLedger
import CounterReceipts
import Foundation
import Logging

/// Voids (撤销) a redemption made on this counter within the void window: records it in the ledger, logs
/// it, counts it, queues its void slip and tells the uploader.
public struct VoidDesk: Sendable {
    let ledger: Ledger
    let window: Duration
    let logger: Logger
    let metrics: DaemonMetrics
    let outboxChanged: @Sendable () -> Void
    let receipts: ReceiptService?

    public init(ledger: Ledger, window: Duration, logger: Logger, metrics: DaemonMetrics,
                outboxChanged: @escaping @Sendable () -> Void = {}, receipts: ReceiptService? = nil) {
        self.ledger = ledger
        self.window = window
        self.logger = logger
        self.metrics = metrics
        self.outboxChanged = outboxChanged
        self.receipts = receipts
    }

    /// Voids one redemption for `staffID` (`nil` for nobody).
    public func void(redemptionID: UUID, reason: String, source: String, staffID: String? = nil) async throws -> VoidOutcome {
        let outcome = try await ledger.void(redemptionID: redemptionID, reason: reason, source: source, staffID: staffID,
                                            window: window.timeInterval)
        var metadata: Logger.Metadata = ["status": "\(outcome.status.rawValue)", "redemption_id": "\(redemptionID.lowercasedString)",
                                         "source": "\(source)", "device_id": "\(ledger.identity.deviceID)"]
        if let staffID { metadata["staff_id"] = "\(staffID)" }
        if let sequence = outcome.deviceSequence { metadata["device_sequence"] = "\(sequence)" }
        logger.info("void", metadata: metadata)
        if outcome.isVoided {
            metrics.recordVoid()
            outboxChanged()
            if let voidID = outcome.voidID {
                await receipts?.enqueue(.void, itemID: voidID.lowercasedString, redemptionID: redemptionID.lowercasedString,
                                        usesLeft: outcome.usesLeft)
            }
        }
        return outcome
    }
}
