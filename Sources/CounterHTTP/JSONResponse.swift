import CounterCore
import Foundation
import Hummingbird

/// A response that encodes a value with ``WireJSON`` (snake_case, RFC 3339 times), never cached.
public struct JSONResponse<Value: Encodable>: ResponseGenerator {
    public let value: Value
    public var status: HTTPResponse.Status

    public init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try WireJSON.encoder(for: Value.self).encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
