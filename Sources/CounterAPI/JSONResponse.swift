import CounterAPIModels
import Foundation
import Hummingbird

/// A response that encodes a value with the API's JSON conventions (snake_case, ISO 8601).
struct JSONResponse<Value: Encodable>: ResponseGenerator {
    let value: Value
    var status: HTTPResponse.Status = .ok

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try APIJSON.encoder().encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Request {
    /// Decodes a JSON body of at most 64 KiB, answering 400 with the reason when it is not valid.
    func decodeJSON<Value: Decodable>(_ type: Value.Type) async throws -> Value {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: 64 * 1024)
        } catch {
            throw APIError(.contentTooLarge, code: "body_too_large", message: "the request body is larger than 64 KiB")
        }
        do {
            return try APIJSON.decoder().decode(Value.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(.badRequest, code: "invalid_body", message: "missing field \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(.badRequest, code: "invalid_body", message: "field \"\(field)\" has the wrong type")
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "the body is not valid JSON for this request")
        }
    }
}
