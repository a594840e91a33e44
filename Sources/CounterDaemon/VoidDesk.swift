import CounterCore
import CounterLedger
import CounterReceipts
import Foundation
import Logging

/// Voids (撤销) a redemption made on this counter as the staff's roles allow: records it in the ledger, logs
/// it, counts it, queues its void slip and tells the uploader.
///
/// Who may void what (docs/staff-and-shifts.md): nobody signed in (a shop without staff, the socket without
/// `--staff`), any redemption inside the void window; a 收银 (cashier), their own inside it; a 店长 (manager), any of
/// the shop's business day inside the shop's manager window (at least the void window); a cashier with a manager's
/// approval (授权), as that manager.
public struct VoidDesk: Sendable {
    let ledger: Ledger
    let window: Duration
    /// The shop's time zone: a manager's business day is a day in it.
    let timeZone: TimeZone
    let logger: Logger
    let metrics: DaemonMetrics
    let outboxChanged: @Sendable () -> Void
    let receipts: ReceiptService?

    public init(ledger: Ledger, window: Duration, timeZone: TimeZone = .current, logger: Logger, metrics: DaemonMetrics,
                outboxChanged: @escaping @Sendable () -> Void = {}, receipts: ReceiptService? = nil) {
        self.ledger = ledger
        self.window = window
        self.timeZone = timeZone
        self.logger = logger
        self.metrics = metrics
        self.outboxChanged = outboxChanged
        self.receipts = receipts
    }

    /// Voids one redemption for `staff` (`nil` for nobody), with a manager's `approval` when one was given.
    public func void(redemptionID: UUID, reason: String, source: String, staff: StaffMember? = nil,
                     approval: StaffMember? = nil) async throws -> VoidOutcome {
        let authority = try await authority(staff: staff, approval: approval)
        let outcome = try await ledger.void(redemptionID: redemptionID, reason: reason, source: source, authority: authority)
        var metadata: Logger.Metadata = ["status": "\(outcome.status.rawValue)", "redemption_id": "\(redemptionID.lowercasedString)",
                                         "source": "\(source)", "device_id": "\(ledger.identity.deviceID)"]
        if let staffID = authority.staffID { metadata["staff_id"] = "\(staffID)" }
        if let approvedBy = authority.approvedBy { metadata["approved_by"] = "\(approvedBy)" }
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

    /// What `staff`, approved by `approval`, may void.
    func authority(staff: StaffMember?, approval: StaffMember?) async throws -> VoidOutcome.Authority {
        let cashierWindow = window.timeInterval
        guard let acting = approval ?? staff else { return VoidOutcome.Authority(window: cashierWindow) }
        if acting.role == .manager {
            let managerWindow = max(cashierWindow, try await ledger.managerVoidWindow())
            return VoidOutcome.Authority(window: managerWindow, businessDay: timeZone, staffID: staff?.id ?? acting.id,
                                         approvedBy: approval?.id)
        }
        return VoidOutcome.Authority(window: cashierWindow, owner: acting.id, staffID: acting.id)
    }
}
