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
        let verdict = try await operations.redeem(code: body.code, uses: uses, source: try validSource(body.source))
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
        let outcome = try await operations.void(redemptionID: id, reason: try validReason(body.reason),
                                                source: try validSource(body.source))
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
    api.get("outbox") { request, _ in
        let state = request.uri.queryParameters.get("state") ?? "dead"
        guard ["dead", "pending"].contains(state) else {
            throw APIError(.badRequest, code: "invalid_state", message: "state must be dead or pending")
        }
        let limitText = request.uri.queryParameters.get("limit") ?? "100"
        guard let limit = Int(limitText), (1...1000).contains(limit) else {
            throw APIError(.badRequest, code: "invalid_limit", message: "limit must be a number from 1 to 1000")
        }
        return JSONResponse(try await operations.outbox(state: state, limit: limit))
    }
    api.post("outbox/retry") { request, _ in
        let body = try await request.decodeJSON(OutboxRetryRequest.self)
        switch (body.eventIds, body.all) {
        case (let ids?, nil) where !ids.isEmpty && ids.count <= 1000 && ids.allSatisfy({ UUID(uuidString: $0) != nil }):
            return JSONResponse(try await operations.retryOutbox(eventIDs: ids))
        case (nil, true?):
            return JSONResponse(try await operations.retryOutbox(eventIDs: nil))
        default:
            throw APIError(.badRequest, code: "invalid_request",
                           message: "send {\"event_ids\": [UUID, …]} (1 to 1000 ids) or {\"all\": true}")
        }
    }
    api.get("printers") { _, _ in
        JSONResponse(try await operations.printers())
    }
    api.post("print-test") { request, _ in
        let body = try await request.decodeJSON(PrintTestRequest.self)
        if let profile = body.profile, !ProfileID.isValid(profile) {
            throw APIError(.badRequest, code: "invalid_profile",
                           message: "profile must be a profile id: a lower-case letter or digit, then up to 63 of a-z 0-9 . _ -")
        }
        if let printer = body.printer, printer.utf8.count > maximumLabelBytes || printer.unicodeScalars.contains(where: isControl) {
            throw APIError(.badRequest, code: "invalid_printer", message: "printer must be a CUPS queue name as `GET /api/v1/printers` lists it")
        }
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

/// The longest `source` or `printer` a request may name, in UTF-8 bytes.
public let maximumLabelBytes = 64
/// The longest void `reason`, in UTF-8 bytes.
public let maximumReasonBytes = 256

/// `source` of a redeem or void: 1 to 64 bytes without control characters (`api` when left out). It is stored
/// with every event and uploaded, so it is capped like every other string a client sends.
private func validSource(_ source: String?) throws -> String {
    guard let source else { return "api" }
    guard (1...maximumLabelBytes).contains(source.utf8.count), !source.unicodeScalars.contains(where: isControl) else {
        throw APIError(.badRequest, code: "invalid_source",
                       message: "source must be 1 to \(maximumLabelBytes) bytes without control characters, e.g. pos-1")
    }
    return source
}

/// A void's `reason`: up to 256 bytes without control characters (`cashier` when left out or empty).
private func validReason(_ reason: String?) throws -> String {
    guard let reason, !reason.isEmpty else { return "cashier" }
    guard reason.utf8.count <= maximumReasonBytes, !reason.unicodeScalars.contains(where: isControl) else {
        throw APIError(.badRequest, code: "invalid_reason",
                       message: "reason must be at most \(maximumReasonBytes) bytes without control characters")
    }
    return reason
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
        && scalar.value != 0x200D  // keep ZWJ (emoji sequences); refuse bidi overrides and the like
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
