import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterLedger
import CounterReceipts
import Foundation
import Hummingbird
import Logging

/// Shifts (交班): the X report, opening and closing, and the 交班单 (docs/local-api.md, "Shifts"). While the shop has
/// staff these are the manager's (``StaffGate``).
struct ShiftsController: Controller {
    let ledger: Ledger
    let receipts: ReceiptService
    let logger: Logger
    let outboxChanged: @Sendable () -> Void

    func addRoutes(to router: Router<ServerRequestContext>) {
        let api = router.group("api/v1")
        api.get("shift") { _, _ in
            JSONResponse(ShiftStatusResponse(current: try await ledger.currentShift(),
                                             lastClosed: try await ledger.closedShifts(limit: 1).first))
        }
        api.post("shift/open") { _, context in
            do {
                let report = try await ledger.openShift(by: context.staff?.id)
                logger.info("shift opened", metadata: ["shift_id": "\(report.shiftId)", "staff_id": "\(context.staff?.id ?? "-")"])
                return JSONResponse(report, status: .created)
            } catch let error as ShiftError {
                throw APIError(.conflict, code: "shift_open", message: "交班未结 \(error.description)")
            }
        }
        api.post("shift/close") { request, context in
            let body = try await request.decodeJSON(ShiftSlipRequest.self, codes: .localAPI)
            let report: ShiftReport
            do {
                report = try await ledger.closeShift(by: context.staff?.id)
            } catch let error as ShiftError {
                throw APIError(.conflict, code: "no_shift", message: "没有未结的班次 \(error.description)")
            }
            logger.info("shift closed", metadata: ["shift_id": "\(report.shiftId)", "redemptions": "\(report.redemptions.count)",
                                                   "reward_fen": "\(report.rewardFen)", "staff_id": "\(context.staff?.id ?? "-")"])
            outboxChanged()
            return JSONResponse(await slip(report, print: body.print))
        }
        api.post("shift/print") { request, _ in
            let body = try await request.decodeJSON(ShiftSlipRequest.self, codes: .localAPI)
            var report = try await ledger.currentShift()
            if report == nil { report = try await ledger.closedShifts(limit: 1).first }
            guard let report else {
                throw APIError(.conflict, code: "no_shift", message: "没有班次 no shift has been opened yet")
            }
            return JSONResponse(await slip(report, print: body.print ?? true))
        }
    }

    /// Prints the report's 交班单 when asked (by default when printing is on); a printer problem is reported, not thrown.
    private func slip(_ report: ShiftReport, print: Bool?) async -> ShiftSlipResponse {
        guard print ?? receipts.configuration.enabled else { return ShiftSlipResponse(report: report, printed: nil, printProblem: nil) }
        guard receipts.configuration.enabled else {
            return ShiftSlipResponse(report: report, printed: nil,
                                     printProblem: "printing is off; add a printer: section to the configuration (docs/printers.md)")
        }
        do {
            return ShiftSlipResponse(report: report, printed: try await receipts.printShiftSlip(report), printProblem: nil)
        } catch {
            logger.warning("shift slip not printed", metadata: ["shift_id": "\(report.shiftId)", "error": "\(error)"])
            return ShiftSlipResponse(report: report, printed: nil, printProblem: "\(error)")
        }
    }
}
