import CounterHTTP
import Foundation
import Hummingbird

// What the local API accepts of the strings and numbers a client sends, shared by its controllers.

/// The most uses one request may take at once.
public let maximumUsesPerRequest = 100
/// The longest `source` or `printer` a request may name, in UTF-8 bytes.
public let maximumLabelBytes = 64
/// The longest void `reason`, in UTF-8 bytes.
public let maximumReasonBytes = 256

extension BodyErrorCodes {
    /// The local API's codes for a body it cannot read (docs/local-api.md).
    static let localAPI = BodyErrorCodes(tooLarge: "body_too_large", invalid: "invalid_body")
}

/// `source` of a redeem or void: 1 to 64 bytes without control characters (`api` when left out). It is stored
/// with every event and uploaded, so it is capped like every other string a client sends.
func validSource(_ source: String?) throws -> String {
    guard let source else { return "api" }
    guard (1...maximumLabelBytes).contains(source.utf8.count), !source.unicodeScalars.contains(where: isControl) else {
        throw APIError(.badRequest, code: "invalid_source",
                        message: "source must be 1 to \(maximumLabelBytes) bytes without control characters, e.g. pos-1")
    }
    return source
}

/// A void's `reason`: up to 256 bytes without control characters (`cashier` when left out or empty).
func validReason(_ reason: String?) throws -> String {
    guard let reason, !reason.isEmpty else { return "cashier" }
    guard reason.utf8.count <= maximumReasonBytes, !reason.unicodeScalars.contains(where: isControl) else {
        throw APIError(.badRequest, code: "invalid_reason",
                        message: "reason must be at most \(maximumReasonBytes) bytes without control characters")
    }
    return reason
}

/// Control and format characters, except the zero-width joiner of emoji sequences (bidi overrides and the like are refused).
func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
        && scalar.value != 0x200D
}

func validUses(_ uses: Int?) throws -> Int {
    let uses = uses ?? 1
    guard (1...maximumUsesPerRequest).contains(uses) else {
        throw APIError(.badRequest, code: "invalid_uses", message: "uses must be from 1 to \(maximumUsesPerRequest)")
    }
    return uses
}

/// A `limit` query parameter from 1 to 1000.
func validLimit(_ request: Request, default value: Int) throws -> Int {
    let text = request.uri.queryParameters.get("limit") ?? "\(value)"
    guard let limit = Int(text), (1...1000).contains(limit) else {
        throw APIError(.badRequest, code: "invalid_limit", message: "limit must be a number from 1 to 1000")
    }
    return limit
}

/// The `:id` path parameter as a redemption id.
func redemptionID(_ context: ServerRequestContext) throws -> UUID {
    guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
        throw APIError(.badRequest, code: "invalid_redemption_id",
                        message: "the redemption id must be a UUID such as 0192f0c1-2a3b-7c4d-8e5f-0123456789ab")
    }
    return id
}
