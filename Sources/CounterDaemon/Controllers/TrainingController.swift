import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterLedger
import Foundation
import Hummingbird
import Logging

/// Training mode (练习模式): while it is on, only practice campaigns' codes redeem, their receipts say 练习 TRAINING and
/// they count in no total. The manager's while the shop has staff (``StaffGate``).
struct TrainingController: Controller {
    let ledger: Ledger
    let logger: Logger

    func addRoutes(to router: Router<ServerRequestContext>) {
        let api = router.group("api/v1")
        api.get("training") { _, _ in
            JSONResponse(TrainingMode(training: try await ledger.trainingMode()))
        }
        api.post("training") { request, context in
            let body = try await request.decodeJSON(TrainingMode.self, codes: .localAPI)
            try await ledger.setTrainingMode(body.training)
            logger.notice("training mode", metadata: ["training": "\(body.training)", "staff_id": "\(context.staff?.id ?? "-")"])
            return JSONResponse(body)
        }
    }
}
