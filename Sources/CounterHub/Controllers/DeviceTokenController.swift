import CounterHTTP
import CounterSyncModels
import Hummingbird

/// `POST /v1/device/token`: device token rotation. The device asks with its current token and gets the next one,
/// which replaces the current one at its first use (``HubStore/rotateDeviceToken(of:)``).
struct DeviceTokenController: Controller {
    let store: HubStore

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.post("v1/device/token") { request, _ in
            let device = try await request.authenticatedDevice(in: store)
            do {
                let token = try await store.blocking { try $0.rotateDeviceToken(of: device) }
                return JSONResponse(DeviceTokenResponse(deviceId: device.id, deviceToken: token))
            } catch let error as HubError where error.code == "device_revoked" {
                // Revoked between the authentication and the rotation.
                throw APIError(.unauthorized, code: error.code, message: error.message)
            }
        }
    }
}
