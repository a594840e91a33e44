import CounterHTTP
import Foundation
import Hummingbird

/// `GET /v1/admin/events`: the commission engine's export, for an admin credential only.
struct ExportController: Controller {
    let store: HubStore

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("v1/admin/events") { request, _ in
            guard let token = request.bearerToken else {
                throw APIError(.unauthorized, code: "unauthorized", message: "missing admin credential")
            }
            guard try await store.blocking({ try $0.isAdmin(bearer: token) }) else {
                throw APIError(.unauthorized, code: "unauthorized", message: "not a valid admin credential")
            }
            let limit = try request.integerQuery("limit", in: 1...5000, default: 1000)
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
