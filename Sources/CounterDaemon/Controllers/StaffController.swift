import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterLedger
import Foundation
import Hummingbird

/// Staff and sessions: who may sign in, signing in with a PIN, who is signed in, lock and sign out
/// (docs/local-api.md, "Staff").
struct StaffController: Controller {
    let desk: StaffDesk

    func addRoutes(to router: Router<ServerRequestContext>) {
        let api = router.group("api/v1")
        api.get("staff") { _, _ in
            var members: [StaffListResponse.Member] = []
            for member in try await desk.ledger.staffMembers() where member.canSignIn {
                let lock = try await desk.ledger.staffLock(id: member.id)
                members.append(.init(staffId: member.id, name: member.name, role: member.role.rawValue,
                                     lockedUntil: lock.lockedUntil.flatMap { $0 > Date() ? $0 : nil }))
            }
            return JSONResponse(StaffListResponse(staffRequired: try await desk.isRequired(), staff: members))
        }
        api.post("session") { request, context in
            let body = try await request.decodeJSON(SignInRequest.self, codes: .localAPI)
            guard WireLimits.isIdentifier(body.staffId) else {
                throw APIError(.badRequest, code: "invalid_staff_id", message: "staff_id must be a staff id as GET /api/v1/staff lists it")
            }
            guard (try? StaffPIN.check(body.pin)) != nil else {
                throw APIError(.badRequest, code: "invalid_pin", message: "a PIN is 6 to 12 digits")
            }
            let signedIn: (token: String, member: StaffMember)
            do {
                signedIn = try await desk.signIn(staffID: body.staffId, pin: body.pin)
            } catch let error as StaffSignInError {
                throw error.apiError
            }
            var response = try JSONResponse(session(of: signedIn.member)).response(from: request, context: context)
            response.setCookie(Cookie(name: StaffGate.cookieName, value: signedIn.token, maxAge: Int(desk.idleTimeout.rounded()), path: "/",
                                      httpOnly: true, sameSite: .strict))
            return response
        }
        api.get("session") { _, context in
            guard let member = context.staff else {
                throw APIError(.unauthorized, code: "no_session", message: "nobody is signed in with this browser")
            }
            return JSONResponse(session(of: member))
        }
        // A badge scanned at the counter in the last 30 s: the sign-in screen that asks first takes its session. A POST
        // with a JSON body, so that another site's page cannot use it up (BrowserGuard).
        api.post("session/badge") { request, context in
            guard let token = desk.claimBadgeSession(), let member = try await desk.member(ofSession: token) else {
                throw APIError(.unauthorized, code: "no_session", message: "no staff badge was scanned at this counter in the last 30 seconds")
            }
            var response = try JSONResponse(session(of: member)).response(from: request, context: context)
            response.setCookie(Cookie(name: StaffGate.cookieName, value: token, maxAge: Int(desk.idleTimeout.rounded()), path: "/",
                                      httpOnly: true, sameSite: .strict))
            return response
        }
        api.delete("session") { request, _ in endSession(request) }
        api.post("session/lock") { request, _ in endSession(request) }
    }

    private func session(of member: StaffMember) -> SessionResponse {
        SessionResponse(staffId: member.id, name: member.name, role: member.role.rawValue,
                        idleTimeoutSeconds: Int(desk.idleTimeout.rounded()), expiresAt: desk.expiry())
    }

    /// Ends the request's session and clears its cookie (204).
    private func endSession(_ request: Request) -> Response {
        if let token = request.cookies[StaffGate.cookieName]?.value { desk.end(session: token) }
        var response = Response(status: .noContent)
        response.setCookie(Cookie(name: StaffGate.cookieName, value: "", maxAge: 0, path: "/", httpOnly: true, sameSite: .strict))
        return response
    }
}
