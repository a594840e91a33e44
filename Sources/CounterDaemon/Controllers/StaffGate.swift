import CounterAPI
import CounterAPIModels
import CounterCore
import CounterHTTP
import Foundation
import HTTPTypes
import Hummingbird

/// Finds who a local API request acts for and keeps writes from anonymous browsers out (docs/local-api.md, "Staff"):
/// - on the TCP listener, the session cookie of the cashier's page; while the shop has enabled staff, a redeem, void,
///   reprint or print test without a live session is refused with 401 `sign_in_required`;
/// - on the unix socket (group-restricted, for counterctl), the `Counter-Staff` header may name a known, enabled member;
///   without it a write is recorded without staff, as before.
struct StaffGate: RouterMiddleware {
    typealias Context = ServerRequestContext

    /// The cashier page's session cookie.
    static let cookieName = StaffSessionCookie.name
    /// The header counterctl's `--staff ID` sends on the unix socket.
    static let staffHeader = HTTPField.Name("Counter-Staff")!

    let desk: StaffDesk
    let listener: APIListenerKind

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        // The route the router matched (`/api/v1/receipts/{id}/reprint`), never the raw path: the router ignores empty
        // segments, so `/api/v1/redeem/` or `//api/v1/redeem` reach the same handler and must meet the same gate.
        let route = Route(method: request.method, path: context.endpointPath ?? request.uri.path)
        switch listener {
        case .socket:
            if let id = request.headers[Self.staffHeader] {
                do {
                    context.staff = try await desk.member(named: id)
                } catch let error as StaffSignInError {
                    throw error.apiError
                }
            }
        case .tcp:
            if let token = request.cookies[Self.cookieName]?.value {
                context.staff = try await desk.member(ofSession: token, use: ![.get, .head].contains(request.method))
            }
            if context.staff == nil, route.isStaffWrite || route.isManagerAction, try await desk.isRequired() {
                throw APIError(.unauthorized, code: "sign_in_required",
                               message: "请先登录 Sign in first: this shop has staff, and this request needs a signed-in staff member")
            }
        }
        // Reprints, the print test and the printer list are the manager's while the shop has staff; a socket request
        // naming nobody stays as it was.
        if let member = context.staff, member.role != .manager, route.isManagerAction, try await desk.isRequired() {
            throw StaffSignInError.managerRequired.apiError
        }
        return try await next(request, context)
    }

    /// A request's method and matched route.
    struct Route {
        let method: HTTPRequest.Method
        let path: String

        /// What only a 店长 (manager) does: reprint, print the test page, list the printers, shifts and training mode.
        var isManagerAction: Bool {
            if path == "/api/v1/shift" || path.hasPrefix("/api/v1/shift/") { return true }
            if path == "/api/v1/training" { return method == .post }
            if method == .get { return path == "/api/v1/printers" }
            return method == .post && (path == "/api/v1/print-test" || isReprint)
        }

        /// The writes that act at the counter: redeem, void, reprint and the print test.
        var isStaffWrite: Bool {
            method == .post && (["/api/v1/redeem", "/api/v1/voids", "/api/v1/print-test"].contains(path) || isReprint)
        }

        private var isReprint: Bool { path.hasPrefix("/api/v1/receipts/") && path.hasSuffix("/reprint") }
    }
}

extension StaffSignInError {
    /// The local API's answer for the error (docs/local-api.md).
    var apiError: APIError {
        switch self {
        case .unknownStaff:
            APIError(.notFound, code: "unknown_staff", message: "no such staff member at this shop (the list comes from the hub)")
        case .disabled:
            APIError(.forbidden, code: "staff_disabled", message: "this staff member is disabled or has no PIN; ask the platform")
        case .wrongPIN(let left):
            APIError(.unauthorized, code: "wrong_pin", message: "PIN 错误 Wrong PIN: \(left) \(left == 1 ? "try" : "tries") left before a 5-minute lock")
        case .locked(let until):
            APIError(HTTPResponse.Status(code: 423, reasonPhrase: "Locked"), code: "staff_locked",
                     message: "已锁定 Locked after 5 wrong PINs, until \(RFC3339.string(until))")
        case .managerRequired:
            APIError(.forbidden, code: "manager_required", message: "需要店长 This needs a store manager (店长)")
        case .busy:
            APIError(.tooManyRequests, code: "busy", message: "too many PIN checks at once; try again in a second")
        case .invalidBadge:
            APIError(.forbidden, code: "invalid_badge", message: "员工卡无效 Not a valid staff badge of this shop")
        case .oldBadge:
            APIError(.forbidden, code: "old_badge", message: "员工卡已更换 This card was replaced by a newer badge")
        }
    }
}
