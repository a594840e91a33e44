import CounterHTTP
import CounterSyncModels
import Foundation
import Hummingbird

/// `GET /v1/time`: the hub's clock, for counters to measure their offset.
struct TimeController: Controller {
    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("v1/time") { _, _ in
            JSONResponse(TimeResponse(serverTime: Date()))
        }
    }
}
