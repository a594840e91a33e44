import CounterAPIModels
import CounterCore
import CounterLedger
import CounterSyncModels
import Foundation
import Hummingbird

/// The most uses one request may take at once.
public let maximumUsesPerRequest = 100

/// Builds the local API's router over the counter's operations, with the cashier's page at `/`.
/// - Parameter browserGuard: for a TCP listener, the checks that keep other sites' pages out.
public func buildRouter(_ operations: some CounterOperations,
                        browserGuard: BrowserGuard<BasicRequestContext>? = nil) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    if let browserGuard { router.add(middleware: browserGuard) }
    CounterPage.addRoutes(to: router)
    let api = router.group("api/v1")

    api.get("status") { _, _ in
        JSONResponse(try await operations.status())
    }
    api.post("redeem") { request, _ in
        let body = try await request.decodeJSON(RedeemRequest.self)
        let uses = try validUses(body.uses)
        let verdict = try await operations.redeem(code: body.code, uses: uses, source: body.source ?? "api")
        return JSONResponse(VerdictResponse(verdict, timeZone: operations.timeZone))
    }
    api.post("check") { request, _ in
        let body = try await request.decodeJSON(RedeemRequest.self)
        let uses = try validUses(body.uses)
        let verdict = try await operations.check(code: body.code, uses: uses)
        return JSONResponse(VerdictResponse(verdict, timeZone: operations.timeZone))
    }
    api.post("voids") { request, _ in
        let body = try await request.decodeJSON(VoidRequest.self)
        guard let id = UUID(uuidString: body.redemptionId) else {
            throw APIError(.badRequest, code: "invalid_redemption_id",
                           message: "redemption_id must be a UUID such as 0192f0c1-2a3b-7c4d-8e5f-0123456789ab")
        }
        let outcome = try await operations.void(redemptionID: id, reason: body.reason ?? "cashier",
                                                source: body.source ?? "api")
        let response = VoidResponse(status: outcome.status.rawValue, message: outcome.message(in: operations.timeZone),
                                    redemptionId: id.uuidString.lowercased(),
                                    voidId: outcome.voidID?.uuidString.lowercased(),
                                    deviceSequence: outcome.deviceSequence, voidedAt: outcome.voidedAt,
                                    usesRestored: outcome.usesRestored, usesLeft: outcome.usesLeft)
        let status: HTTPResponse.Status = switch outcome.status {
        case .voided: .ok
        case .notFound: .notFound
        case .windowClosed, .alreadyVoided, .otherDevice: .conflict
        }
        return JSONResponse(response, status: status)
    }
    api.post("sync") { request, context -> Response in
        guard operations.isEnrolled else {
            throw APIError(.conflict, code: "not_enrolled",
                           message: "this counter is not enrolled; run `counterd enroll --config FILE --hub URL --code CODE`")
        }
        guard request.headers[.accept]?.contains("application/x-ndjson") == true else {
            let report = try await operations.syncNow(progress: { _ in }) ?? SyncNowReport()
            return try JSONResponse(report).response(from: request, context: context)
        }
        return streamSync(operations)
    }
    api.get("redemptions") { request, _ in
        let limitText = request.uri.queryParameters.get("limit") ?? "20"
        guard let limit = Int(limitText), (1...1000).contains(limit) else {
            throw APIError(.badRequest, code: "invalid_limit", message: "limit must be a number from 1 to 1000")
        }
        let entries = try await operations.history(limit: limit).map { summary in
            HistoryResponse.Entry(redemptionId: summary.id.uuidString.lowercased(),
                                  deviceSequence: summary.deviceSequence, redeemedAt: summary.redeemedAt,
                                  tokenId: summary.tokenID, campaignId: summary.campaignID,
                                  campaignTitle: summary.campaignTitle, uses: summary.uses,
                                  codeLast4: summary.codeLastFour, source: summary.source,
                                  voidedAt: summary.voidedAt, uploadState: summary.uploadState)
        }
        return JSONResponse(HistoryResponse(redemptions: entries))
    }
    api.get("printers") { _, _ in
        JSONResponse(try await operations.printers())
    }
    api.post("print-test") { request, _ in
        let body = try await request.decodeJSON(PrintTestRequest.self)
        return JSONResponse(try await operations.printTest(printer: body.printer, profile: body.profile))
    }
    api.get("receipts/:id") { request, context in
        let reprint = request.uri.queryParameters.get("reprint") == "true"
        return JSONResponse(try await operations.receipt(redemptionID: try redemptionID(context), reprint: reprint))
    }
    api.post("receipts/:id/reprint") { _, context in
        JSONResponse(try await operations.reprint(redemptionID: try redemptionID(context)), status: .accepted)
    }
    api.get("devices") { _, _ in
        JSONResponse(try await operations.devices())
    }
    api.get("events") { _, _ in
        await eventStream(operations)
    }
    api.get("diagnostics") { request, _ in
        let probe = request.uri.queryParameters.get("probe_hub") != "false"
        return JSONResponse(try await operations.diagnostics(probeHub: probe))
    }
    // Prometheus scrapes this (text exposition format 0.0.4).
    router.get("metrics") { _, _ in
        let text = try await operations.metrics()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }
    return router
}

/// `GET /api/v1/events` as Server-Sent Events: `event: verdict` or `event: device` with the message's
/// JSON as `data:`, and a comment every 15 s so proxies and browsers keep the connection open.
private func eventStream(_ operations: some CounterOperations) async -> Response {
    let events = await operations.events()
    let (chunks, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(256))
    let forward = Task {
        continuation.yield(": counterd device events\n\n")
        let encoder = APIJSON.encoder()
        for await event in events {
            let json = try? encoder.encode(event.message)
            let data = json.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            continuation.yield("event: \(event.name)\ndata: \(data)\n\n")
        }
        continuation.finish()
    }
    let keepAlive = Task {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(15))
            continuation.yield(": keep-alive\n\n")
        }
    }
    continuation.onTermination = { _ in
        forward.cancel()
        keepAlive.cancel()
    }
    var headers = HTTPFields()
    headers[.contentType] = "text/event-stream"
    headers[.cacheControl] = "no-cache"
    return Response(status: .ok, headers: headers, body: ResponseBody { writer in
        for await chunk in chunks {
            try await writer.write(ByteBuffer(string: chunk))
        }
        try await writer.finish(nil)
    })
}

private func redemptionID(_ context: BasicRequestContext) throws -> UUID {
    guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
        throw APIError(.badRequest, code: "invalid_redemption_id",
                       message: "the redemption id must be a UUID such as 0192f0c1-2a3b-7c4d-8e5f-0123456789ab")
    }
    return id
}

private func validUses(_ uses: Int?) throws -> Int {
    let uses = uses ?? 1
    guard (1...maximumUsesPerRequest).contains(uses) else {
        throw APIError(.badRequest, code: "invalid_uses", message: "uses must be from 1 to \(maximumUsesPerRequest)")
    }
    return uses
}

/// `POST /api/v1/sync` as JSON lines: a `download` line per applied page, then a `done` line with the report.
private func streamSync(_ operations: some CounterOperations) -> Response {
    let (lines, continuation) = AsyncStream.makeStream(of: SyncProgressLine.self, bufferingPolicy: .bufferingNewest(64))
    let run = Task {
        let report = (try? await operations.syncNow(progress: { continuation.yield(SyncProgressLine(event: "download", download: $0)) }))
            ?? SyncNowReport()
        continuation.yield(SyncProgressLine(event: "done", report: report))
        continuation.finish()
    }
    var headers = HTTPFields()
    headers[.contentType] = "application/x-ndjson"
    headers[.cacheControl] = "no-store"
    return Response(status: .ok, headers: headers, body: ResponseBody { writer in
        let encoder = APIJSON.encoder()
        for await line in lines {
            try await writer.write(ByteBuffer(bytes: try encoder.encode(line) + Data("\n".utf8)))
        }
        _ = await run.value
        try await writer.finish(nil)
    })
}
