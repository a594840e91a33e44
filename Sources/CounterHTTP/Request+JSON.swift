import CounterCore
import Foundation
import Hummingbird

/// The error codes a server answers a body it cannot read with; each server keeps its documented ones.
public struct BodyErrorCodes: Sendable {
    /// 413: the body is over the limit.
    public var tooLarge: String
    /// 400: the body is not JSON of the expected shape.
    public var invalid: String

    public init(tooLarge: String, invalid: String) {
        self.tooLarge = tooLarge
        self.invalid = invalid
    }
}

extension Request {
    /// Decodes a JSON body of at most `limit` bytes with ``WireJSON``, answering 413 or 400 with the reason
    /// (the missing field, the field of the wrong type) when it is too large or not valid.
    public func decodeJSON<Value: Decodable>(_ type: Value.Type, limit: Int = 64 * 1024, codes: BodyErrorCodes) async throws -> Value {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            let size = limit % 1024 == 0 ? "\(limit / 1024) KiB" : "\(limit) bytes"
            throw APIError(.contentTooLarge, code: codes.tooLarge, message: "the request body is larger than \(size)")
        }
        do {
            return try WireJSON.decoder(for: Value.self).decode(Value.self, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, context) {
            let field = (context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")
            throw APIError(.badRequest, code: codes.invalid, message: "missing field \"\(Self.snakeCase(field))\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw APIError(.badRequest, code: codes.invalid, message: "field \"\(Self.path(context))\" has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw APIError(.badRequest, code: codes.invalid, message: "field \"\(Self.path(context))\" must not be null")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw APIError(.badRequest, code: codes.invalid,
                            message: "field \"\(Self.path(context))\" is not valid: \(context.debugDescription.prefix(200))")
        } catch {
            throw APIError(.badRequest, code: codes.invalid, message: "the body is not valid JSON for this request")
        }
    }

    private static func path(_ context: DecodingError.Context) -> String {
        snakeCase(context.codingPath.map(\.stringValue).joined(separator: "."))
    }

    /// Coding keys are the Swift names (`redemptionId`); people read the wire names (`redemption_id`).
    private static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase, let previous = result.last, previous != "." {
                result.append("_")
            }
            result.append(contentsOf: character.lowercased())
        }
        return result
    }
}
