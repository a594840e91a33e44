import CounterCore
import Foundation
import Hummingbird

/// An error answer of either server, with a stable code and a message for people. Its body is
/// ``ErrorBody``: `{"error": {"code", "message"}, "server_time"}`.
public struct APIError: Error, HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Extra headers of the answer (`Retry-After`, `Allow`).
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try JSONResponse(ErrorBody(code: code, message: message, serverTime: Date()), status: status)
            .response(from: request, context: context)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        response.headers.append(contentsOf: headers)
        return response
    }
}
