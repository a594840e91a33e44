import CounterHTTP
import CounterSyncModels
import Hummingbird

/// `POST /v1/events`: a device's batch of redemptions and voids, each stored once.
struct EventsController: Controller {
    let store: HubStore
    let notifier: FeedNotifier

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("v1/events") { request, _ in
            let device = try await request.authenticatedDevice(in: store)
            let body = try await request.decodeJSON(EventsRequest.self, limit: 1024 * 1024, codes: .hub)
            guard body.deviceId == device.id else {
                throw APIError(.forbidden, code: "device_mismatch", message: "device_id is not the credential's device")
            }
            guard !body.events.isEmpty else {
                throw APIError(.badRequest, code: "invalid_request", message: "a batch holds 1 to 500 events")
            }
            guard body.events.count <= 500 else {
                throw APIError(.contentTooLarge, code: "batch_too_large", message: "at most 500 events per batch")
            }
            let (response, changed) = try await store.blocking { try $0.ingestNotingChanges(body, from: device) }
            // Redemptions and voids change use counts the live feeds of the tokens' shops wait for.
            if let changed { notifier.changed(changed) }
            return JSONResponse(response)
        }
    }
}
