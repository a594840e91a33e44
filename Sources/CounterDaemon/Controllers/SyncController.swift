import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterSync
import CounterSyncModels
import Foundation
import Hummingbird

/// `POST /api/v1/sync`: one download and one upload now, answered as one JSON report or, for
/// `Accept: application/x-ndjson`, as a line per applied feed page and a `done` line.
struct SyncController: Controller {
    /// `nil` when the counter is not enrolled.
    let syncer: Syncer?

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.group("api/v1").post("sync") { request, context -> Response in
            guard let syncer else {
                throw APIError(.conflict, code: "not_enrolled",
                                message: "this counter is not enrolled; run `counterd enroll --config FILE --hub URL --code CODE`")
            }
            guard request.headers[.accept]?.contains("application/x-ndjson") == true else {
                return try JSONResponse(await syncer.syncNow(progress: { _ in })).response(from: request, context: context)
            }
            return Self.stream(syncer)
        }
    }

    /// The sync as JSON lines: a `download` line per applied page, then a `done` line with the report.
    private static func stream(_ syncer: Syncer) -> Response {
        let (lines, continuation) = AsyncStream.makeStream(of: SyncProgressLine.self, bufferingPolicy: .bufferingNewest(64))
        let run = Task {
            let report = await syncer.syncNow(progress: { continuation.yield(SyncProgressLine(event: "download", download: $0)) })
            continuation.yield(SyncProgressLine(event: "done", report: report))
            continuation.finish()
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let encoder = WireJSON.encoder()
            for await line in lines {
                try await writer.write(ByteBuffer(bytes: try encoder.encode(line) + Data("\n".utf8)))
            }
            _ = await run.value
            try await writer.finish(nil)
        })
    }
}
