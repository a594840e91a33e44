import CounterHTTP
import Foundation
import Hummingbird

/// `GET /v1/admin/events`: the commission engine's export, for an admin credential only.
struct ExportController: Controller {
    let store: HubStore

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("v1/admin/events") { request, _ in
            guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
                throw APIError(.unauthorized, code: "unauthorized", message: "missing admin credential")
            }
            let token = String(header.dropFirst(7))
            guard try await store.blocking({ try $0.isAdmin(bearer: token) }) else {
                throw APIError(.unauthorized, code: "unauthorized", message: "not a valid admin credential")
            }
            let limitText = request.uri.queryParameters.get("limit") ?? "1000"
            guard let limit = Int(limitText), (1...5000).contains(limit) else {
                throw APIError(.badRequest, code: "invalid_request", message: "limit must be 1 to 5000")
            }
            let after = request.uri.queryParameters.get("after")
            if let after, !(1...64).contains(after.unicodeScalars.count) {
                throw APIError(.badRequest, code: "invalid_request", message: "after must be 1 to 64 characters")
            }
            do {
                return JSONResponse(try await store.blocking { try $0.exportEvents(after: after, limit: limit) })
            } catch let error as HubError where error.code == "invalid_cursor" {
                throw APIError(.badRequest, code: "invalid_cursor", message: error.message)
            }
        }
    }
}
