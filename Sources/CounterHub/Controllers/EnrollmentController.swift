import CounterHTTP
import CounterSyncModels
import Foundation
import Hummingbird

/// `POST /v1/enroll`: a one-time enrollment code becomes a device credential, within a rate limit per client address.
struct EnrollmentController: Controller {
    let store: HubStore
    let limiter: RateLimiter

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("v1/enroll") { request, context in
            if let wait = limiter.acquire(key: context.remoteAddress?.rateLimitKey ?? "unknown") {
                var error = APIError(.tooManyRequests, code: "rate_limited", message: "too many enrollment attempts")
                error.headers[.retryAfter] = String(wait)
                throw error
            }
            let body = try await request.decodeJSON(EnrollRequest.self, codes: .hub)
            // The contract's bounds (lengths in characters, as JSON Schema counts them).
            guard (1...128).contains(body.enrollmentCode.unicodeScalars.count) else {
                throw APIError(.badRequest, code: "invalid_request", message: "enrollment_code must be 1 to 128 characters")
            }
            guard (body.deviceName?.unicodeScalars.count ?? 0) <= 64 else {
                throw APIError(.badRequest, code: "invalid_request", message: "device_name must be at most 64 characters")
            }
            do {
                let (device, token, root) = try await store.blocking { store in
                    let (device, token) = try store.enroll(code: body.enrollmentCode, deviceName: body.deviceName)
                    return (device, token, try store.rootPublicKeyHex())
                }
                return JSONResponse(EnrollResponse(deviceId: device.id, shopId: device.shopID, deviceToken: token,
                                                   rootPublicKey: root, serverTime: Date()))
            } catch let error as HubError {
                throw APIError(.forbidden, code: error.code, message: error.message)
            }
        }
    }
}
