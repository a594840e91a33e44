import CounterAPIModels
import Foundation
import Hummingbird

/// An error answer of the local API, with a stable code and a message for people.
public struct APIError: Error, HTTPResponseError {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String

    public init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try JSONResponse(ErrorResponse(code: code, message: message), status: status).response(from: request, context: context)
    }
}
