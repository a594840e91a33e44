import CounterAPIModels
import CounterCore
import CounterCUPS
import CounterHTTP
import CounterLedger
import CounterPrint
import CounterReceipts
import Foundation
import Hummingbird
import Logging

/// Receipts and printers: the CUPS destinations, a profile's test page, a redemption's receipt bytes, and reprints (重打).
struct ReceiptsController: Controller {
    let receipts: ReceiptService
    let logger: Logger

    func addRoutes(to router: Router<ServerRequestContext>) {
        let api = router.group("api/v1")
        api.get("printers") { _, _ in
            JSONResponse(await receipts.printers())
        }
        api.post("print-test") { request, _ in
            let body = try await request.decodeJSON(PrintTestRequest.self, codes: .localAPI)
            if let profile = body.profile, !ProfileID.isValid(profile) {
                throw APIError(.badRequest, code: "invalid_profile",
                                message: "profile must be a profile id: a lower-case letter or digit, then up to 63 of a-z 0-9 . _ -")
            }
            if let printer = body.printer, printer.utf8.count > maximumLabelBytes || printer.unicodeScalars.contains(where: isControl) {
                throw APIError(.badRequest, code: "invalid_printer", message: "printer must be a CUPS queue name as `GET /api/v1/printers` lists it")
            }
            do {
                return JSONResponse(try await receipts.printTest(printer: body.printer, profileID: body.profile))
            } catch let error as ConfigError {
                throw APIError(.badRequest, code: error.key == "printer" ? "unknown_printer" : "unknown_profile", message: error.description)
            } catch let error as CUPSError {
                throw APIError(.serviceUnavailable, code: "cups_\(error.kind.rawValue)", message: error.message)
            }
        }
        api.get("receipts/:id") { request, context in
            let id = try redemptionID(context).lowercasedString
            let reprint = request.uri.queryParameters.get("reprint") == "true"
            guard let receipt = try await receipts.receiptBytes(redemptionID: id, reprint: reprint) else {
                throw APIError(.notFound, code: "not_found", message: "no redemption \(id) on this counter")
            }
            let profile = receipts.configuration.profile
            return JSONResponse(ReceiptBytesResponse(redemptionId: id, kind: receipt.kind.rawValue, profile: profile.id,
                                                     paperWidthDots: profile.paperWidthDots,
                                                     escpos: Data(receipt.bytes).base64EncodedString()))
        }
        api.post("receipts/:id/reprint") { _, context in
            let id = try redemptionID(context).lowercasedString
            guard receipts.configuration.enabled else {
                throw APIError(.conflict, code: "printing_off",
                                message: "printing is off; add a printer: section to the configuration (docs/printers.md)")
            }
            guard let response = try await receipts.reprint(redemptionID: id) else {
                throw APIError(.notFound, code: "not_found", message: "no redemption \(id) on this counter")
            }
            logger.info("reprint queued", metadata: ["redemption_id": "\(response.redemptionId)", "kind": "\(response.kind)"])
            return JSONResponse(response, status: .accepted)
        }
    }
}
