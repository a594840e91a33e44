import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterLedger
import Foundation
import Hummingbird

/// Redemptions: redeem (核销), check without redeeming, void (撤销), and the history.
struct RedemptionsController: Controller {
    let redeemer: Redeemer
    let voids: VoidDesk
    let staff: StaffDesk
    let ledger: Ledger
    let timeZone: TimeZone

    func addRoutes(to router: Router<ServerRequestContext>) {
        let api = router.group("api/v1")
        api.post("redeem") { request, context in
            let body = try await request.decodeJSON(RedeemRequest.self, codes: .localAPI)
            try refuseBadge(body.code)
            let uses = try validUses(body.uses)
            let verdict = try await redeemer.redeem(code: body.code, uses: uses, source: try validSource(body.source),
                                                    staffID: context.staff?.id)
            return JSONResponse(VerdictResponse(verdict, timeZone: timeZone))
        }
        api.post("check") { request, _ in
            let body = try await request.decodeJSON(RedeemRequest.self, codes: .localAPI)
            try refuseBadge(body.code)
            let uses = try validUses(body.uses)
            return JSONResponse(VerdictResponse(try await ledger.check(body.code, uses: uses), timeZone: timeZone))
        }
        api.post("voids") { request, context in
            let body = try await request.decodeJSON(VoidRequest.self, codes: .localAPI)
            guard let id = UUID(uuidString: body.redemptionId) else {
                throw APIError(.badRequest, code: "invalid_redemption_id",
                                message: "redemption_id must be a UUID such as 0192f0c1-2a3b-7c4d-8e5f-0123456789ab")
            }
            var approval: StaffMember?
            if let given = body.approval {
                do {
                    if let text = given.badge, given.staffId == nil, given.pin == nil {
                        guard let code = try? CanonicalCode(text), StaffBadge.isBadge(code) else { throw StaffSignInError.invalidBadge }
                        approval = try await staff.approval(badge: code)
                    } else if let id = given.staffId, let pin = given.pin, given.badge == nil, WireLimits.isIdentifier(id),
                              (try? StaffPIN.check(pin)) != nil {
                        approval = try await staff.approval(staffID: id, pin: pin)
                    } else {
                        throw APIError(.badRequest, code: "invalid_approval",
                                       message: "approval is a manager's staff_id and PIN (6 to 12 digits), or their badge")
                    }
                } catch let error as StaffSignInError {
                    throw error.apiError
                }
            }
            let outcome = try await voids.void(redemptionID: id, reason: try validReason(body.reason), source: try validSource(body.source),
                                               staff: context.staff, approval: approval)
            let status: HTTPResponse.Status = switch outcome.status {
            case .voided: .ok
            case .notFound: .notFound
            case .windowClosed, .alreadyVoided, .otherDevice, .notYours: .conflict
            }
            return JSONResponse(VoidResponse(outcome, timeZone: timeZone), status: status)
        }
        api.get("redemptions") { request, _ in
            let limit = try validLimit(request, default: 20)
            return JSONResponse(HistoryResponse(redemptions: try await ledger.history(limit: limit).map(HistoryResponse.Entry.init)))
        }
    }
}

/// A staff badge is never a code to redeem: it signs its holder in when scanned.
private func refuseBadge(_ code: String) throws {
    if let canonical = try? CanonicalCode(code), StaffBadge.isBadge(canonical) {
        throw APIError(HTTPResponse.Status(code: 422, reasonPhrase: "Unprocessable Content"), code: "staff_badge",
                       message: "这是员工卡，不是核销码 This is a staff badge, not a code: scan it on a scanner to sign in")
    }
}

extension HistoryResponse.Entry {
    init(_ summary: RedemptionSummary) {
        self.init(redemptionId: summary.id.lowercasedString, deviceSequence: summary.deviceSequence,
                  redeemedAt: summary.redeemedAt, tokenId: summary.tokenID, campaignId: summary.campaignID,
                  campaignTitle: summary.campaignTitle, uses: summary.uses, codeLast4: summary.codeLastFour,
                  source: summary.source, voidedAt: summary.voidedAt, uploadState: summary.uploadState,
                  staffId: summary.staffID, staffName: summary.staffName)
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
