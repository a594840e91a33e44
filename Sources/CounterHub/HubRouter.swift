import CounterSyncModels
import Foundation
import Hummingbird
import Logging
import NIOCore

/// Builds counter-hub's `/v1` router over a store, with optional fault injection for tests.
///
/// Its last middleware answers every request no route matched (404, 405); a route added to the returned
/// router would get it too, so add routes here, before it.
public func buildHubRouter(store: HubStore, faults: FaultInjection? = nil,
                           enrollmentLimit: EnrollmentRateLimit = .standard) -> Router<HubRequestContext> {
    let router = Router(context: HubRequestContext.self)
    if let faults { router.add(middleware: FaultMiddleware(faults: faults)) }
    let enrollmentLimiter = RateLimiter(enrollmentLimit)
    let v1 = router.group("v1")

    v1.get("time") { _, _ in
        HubJSON(TimeResponse(serverTime: Date()))
    }
    v1.post("enroll") { request, context in
        if let wait = enrollmentLimiter.acquire(key: context.remoteAddress?.rateLimitKey ?? "unknown") {
            var error = HubHTTPError(.tooManyRequests, code: "rate_limited", message: "too many enrollment attempts")
            error.headers[.retryAfter] = String(wait)
            throw error
        }
        let body = try await request.decodeHubJSON(EnrollRequest.self)
        // The contract's bounds (lengths in characters, as JSON Schema counts them).
        guard (1...128).contains(body.enrollmentCode.unicodeScalars.count) else {
            throw HubHTTPError(.badRequest, code: "invalid_request", message: "enrollment_code must be 1 to 128 characters")
        }
        guard (body.deviceName?.unicodeScalars.count ?? 0) <= 64 else {
            throw HubHTTPError(.badRequest, code: "invalid_request", message: "device_name must be at most 64 characters")
        }
        do {
            let (device, token) = try store.enroll(code: body.enrollmentCode, deviceName: body.deviceName)
            return HubJSON(EnrollResponse(deviceId: device.id, shopId: device.shopID, deviceToken: token,
                                          rootPublicKey: try store.rootPublicKeyHex(), serverTime: Date()))
        } catch let error as HubError {
            throw HubHTTPError(.forbidden, code: error.code, message: error.message)
        }
    }
    v1.get("feed") { request, _ in
        let device = try authenticate(request, store: store)
        let limitText = request.uri.queryParameters.get("limit") ?? "1000"
        guard let limit = Int(limitText), (1...5000).contains(limit) else {
            throw HubHTTPError(.badRequest, code: "invalid_request", message: "limit must be 1 to 5000")
        }
        // Hummingbird has already percent-decoded the value. The contract bounds it to 1...1024 characters.
        let cursor = request.uri.queryParameters.get("cursor")
        if let cursor, !(1...FeedCursor.maxLength).contains(cursor.unicodeScalars.count) {
            throw HubHTTPError(.badRequest, code: "invalid_request", message: "cursor must be 1 to \(FeedCursor.maxLength) characters")
        }
        return HubJSON(try store.feedPage(for: device, cursor: cursor, limit: limit))
    }
    v1.post("events") { request, _ in
        let device = try authenticate(request, store: store)
        let body = try await request.decodeHubJSON(EventsRequest.self, limit: 1024 * 1024)
        guard body.deviceId == device.id else {
            throw HubHTTPError(.forbidden, code: "device_mismatch", message: "device_id is not the credential's device")
        }
        guard !body.events.isEmpty else {
            throw HubHTTPError(.badRequest, code: "invalid_request", message: "a batch holds 1 to 500 events")
        }
        guard body.events.count <= 500 else {
            throw HubHTTPError(.contentTooLarge, code: "batch_too_large", message: "at most 500 events per batch")
        }
        return HubJSON(try store.ingest(body, from: device))
    }
    // Last, so that it applies only to requests no route above matched.
    router.add(middleware: UnmatchedRouteMiddleware(routes: router.routes.map { ($0.path.description, $0.method) }))
    return router
}

private func authenticate(_ request: Request, store: HubStore) throws -> HubDevice {
    guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
          let device = try store.device(bearer: String(header.dropFirst(7))) else {
        throw HubHTTPError(.unauthorized, code: "unauthorized", message: "missing, wrong or revoked device credential")
    }
    return device
}

/// An error answer of counter-hub: `{"error": {"code", "message"}, "server_time"}`.
struct HubHTTPError: Error, HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// Extra headers of the answer (`Retry-After`, `Allow`).
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try HubJSON(SyncErrorBody(code: code, message: message, serverTime: Date()), status: status)
            .response(from: request, context: context)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// A JSON response in the sync protocol's conventions.
struct HubJSON<Value: Encodable>: ResponseGenerator {
    let value: Value
    var status: HTTPResponse.Status = .ok

    init(_ value: Value, status: HTTPResponse.Status = .ok) {
        self.value = value
        self.status = status
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: try SyncJSON.encoder().encode(value))))
    }
}

extension Request {
    func decodeHubJSON<Value: Decodable>(_ type: Value.Type, limit: Int = 64 * 1024) async throws -> Value {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch {
            throw HubHTTPError(.contentTooLarge, code: "batch_too_large", message: "the body is larger than \(limit) bytes")
        }
        do {
            return try SyncJSON.decoder().decode(Value.self, from: Data(buffer.readableBytesView))
        } catch {
            throw HubHTTPError(.badRequest, code: "invalid_request", message: "the body is not valid: \(error)")
        }
    }
}
