import CounterHTTP
import Hummingbird

/// Builds counter-hub's `/v1` router over a store, with optional fault injection for tests. `notifier` wakes the
/// live feed: `serve` feeds it from the database (``HubStore/watchPosition(notifier:interval:logger:)``,
/// ``HubStore/listenForChanges(notifier:logger:)``); one controller
/// per resource (time, enrollment, device token, feed, events, the admin export).
///
/// Its last middleware answers every request no route matched (404, 405); a route added to the returned
/// router would get it too, so add controllers here, before it.
public func buildHubRouter(store: HubStore, notifier: FeedNotifier = FeedNotifier(), faults: FaultInjection? = nil,
                           enrollmentLimit: EnrollmentRateLimit = .standard) -> Router<ServerRequestContext> {
    let router = Router(context: ServerRequestContext.self)
    if let faults { router.add(middleware: FaultMiddleware(faults: faults)) }
    let controllers: [any Controller] = [
        TimeController(),
        EnrollmentController(store: store, limiter: RateLimiter(enrollmentLimit)),
        DeviceTokenController(store: store),
        FeedController(store: store, notifier: notifier),
        EventsController(store: store, notifier: notifier),
        ExportController(store: store),
    ]
    for controller in controllers { controller.addRoutes(to: router) }
    // Last, so that it applies only to requests no route above matched.
    router.add(middleware: UnmatchedRouteMiddleware(routes: router.routes.map { ($0.path.description, $0.method) }))
    return router
}

extension BodyErrorCodes {
    /// The sync protocol's codes for a body the hub cannot read (docs/protocol.md).
    static let hub = BodyErrorCodes(tooLarge: "batch_too_large", invalid: "invalid_request")
}

extension Request {
    /// The token of an `Authorization: Bearer …` header, if the request has one.
    var bearerToken: String? {
        guard let header = headers[.authorization], header.hasPrefix("Bearer ") else { return nil }
        return String(header.dropFirst(7))
    }

    /// The integer query parameter `name`, `defaultValue` when absent; 400 `invalid_request` ("NAME must be LOW to
    /// HIGH[ UNIT]") when it is not an integer inside `range`.
    func integerQuery(_ name: String, in range: ClosedRange<Int>, default defaultValue: Int, unit: String = "") throws -> Int {
        guard let text = uri.queryParameters.get(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw APIError(.badRequest, code: "invalid_request",
                           message: "\(name) must be \(range.lowerBound) to \(range.upperBound)" + (unit.isEmpty ? "" : " " + unit))
        }
        return value
    }

    /// The device whose bearer credential the request carries; 401 `device_revoked` for a revoked device,
    /// 401 `unauthorized` otherwise.
    func authenticatedDevice(in store: HubStore) async throws -> HubDevice {
        guard let token = bearerToken else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing or wrong device credential")
        }
        let device: HubDevice?
        do {
            device = try await store.blocking { try $0.device(bearer: token) }
        } catch let error as HubError where error.code == "device_revoked" {
            throw APIError(.unauthorized, code: error.code, message: error.message)
        }
        guard let device else {
            throw APIError(.unauthorized, code: "unauthorized", message: "missing or wrong device credential")
        }
        return device
    }
}
