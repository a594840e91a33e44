import CounterCore
import AsyncHTTPClient
import CounterAPIModels
import CounterSyncModels
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// A client of counterd's local API over its unix socket. counterctl and the tests use it;
/// it never opens the ledger itself.
public final class CounterClient: Sendable {
    public let socketPath: String
    private let timeout: TimeAmount
    /// Whether a listener was seen on the socket; checked before the first request only.
    private let listenerSeen = Mutex(false)
    /// The staff member the requests act for (`Counter-Staff`); `nil` for nobody.
    public let staffID: String?

    /// - Parameter staffID: the staff member every request acts for (counterctl's `--staff`).
    public init(socketPath: String, timeout: Duration = .seconds(30), staffID: String? = nil) {
        self.socketPath = socketPath
        self.staffID = staffID
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000
                                    + timeout.components.attoseconds / 1_000_000_000)
    }

    public func status() async throws -> StatusResponse {
        try await send(.GET, "/api/v1/status", body: Optional<RedeemRequest>.none)
    }

    public func redeem(_ code: String, uses: Int? = nil, source: String = "counterctl") async throws -> VerdictResponse {
        try await send(.POST, "/api/v1/redeem", body: RedeemRequest(code: code, uses: uses, source: source))
    }

    public func check(_ code: String, uses: Int? = nil) async throws -> VerdictResponse {
        try await send(.POST, "/api/v1/check", body: RedeemRequest(code: code, uses: uses))
    }

    /// Voids a redemption. A refusal (window closed, already voided, not found) comes back as a
    /// ``VoidResponse`` whose status says why, not as an error.
    public func void(_ redemptionID: String, reason: String? = nil, source: String = "counterctl") async throws -> VoidResponse {
        try await send(.POST, "/api/v1/voids", body: VoidRequest(redemptionId: redemptionID, reason: reason, source: source),
                       acceptedStatuses: [200, 404, 409])
    }

    /// The open shift's X report and the last closed one's Z report.
    public func shift() async throws -> ShiftStatusResponse {
        try await send(.GET, "/api/v1/shift", body: Optional<RedeemRequest>.none)
    }

    /// Opens a shift.
    public func openShift() async throws -> ShiftReport {
        try await send(.POST, "/api/v1/shift/open", body: ShiftSlipRequest(), acceptedStatuses: [201])
    }

    /// Closes the open shift (its Z report), printing the 交班单 unless `print` is false.
    public func closeShift(print: Bool? = nil) async throws -> ShiftSlipResponse {
        try await send(.POST, "/api/v1/shift/close", body: ShiftSlipRequest(print: print))
    }

    /// Prints the open shift's X report (or the last Z report) as a 交班单.
    public func printShift() async throws -> ShiftSlipResponse {
        try await send(.POST, "/api/v1/shift/print", body: ShiftSlipRequest(print: true))
    }

    /// Turns training mode (练习模式) on or off.
    public func setTraining(_ on: Bool) async throws -> TrainingMode {
        try await send(.POST, "/api/v1/training", body: TrainingMode(training: on))
    }

    /// Runs one download and one upload now and returns what happened.
    public func sync() async throws -> SyncNowReport {
        try await send(.POST, "/api/v1/sync", body: Optional<RedeemRequest>.none)
    }

    /// Like ``sync()``, calling `onLine` for each progress line as it arrives; returns the final report.
    public func sync(onLine: (SyncProgressLine) -> Void) async throws -> SyncNowReport {
        let response = try await stream(.POST, "/api/v1/sync", accept: "application/x-ndjson", deadline: .now() + .hours(2))
        var pending = Data()
        var final: SyncNowReport?
        for try await buffer in response.body {
            pending.append(contentsOf: buffer.readableBytesView)
            while let newline = pending.firstIndex(of: 0x0A) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                guard let decoded = try? WireJSON.decoder().decode(SyncProgressLine.self, from: Data(line)) else {
                    throw CounterClientError.badResponse("a sync progress line could not be read")
                }
                onLine(decoded)
                if let report = decoded.report { final = report }
            }
        }
        guard let final else { throw CounterClientError.badResponse("the sync ended without a report") }
        return final
    }

    /// Follows `GET /api/v1/events`: calls `onEvent` for each verdict and device event as counterd sends it,
    /// until `onEvent` returns `false` or counterd closes the stream (it stopped). Events of kinds this
    /// version does not know are skipped.
    public func followEvents(_ onEvent: (CounterEvent) async throws -> Bool) async throws {
        let response = try await stream(.GET, "/api/v1/events", accept: "text/event-stream", deadline: .distantFuture)
        var parser = ServerSentEventParser()
        for try await buffer in response.body {
            for event in parser.feed(buffer.readableBytesView) {
                let decoded: CounterEvent?
                do {
                    decoded = try CounterEvent(event)
                } catch {
                    throw CounterClientError.badResponse("an event \(event.name) could not be read: \(error)")
                }
                if let decoded, try await !onEvent(decoded) { return }
            }
        }
    }

    public func history(limit: Int) async throws -> HistoryResponse {
        try await send(.GET, "/api/v1/redemptions?limit=\(limit)", body: Optional<RedeemRequest>.none)
    }

    /// Upload queue entries in `state` (`dead` or `pending`).
    public func outbox(state: String, limit: Int) async throws -> OutboxListResponse {
        try await send(.GET, "/api/v1/outbox?state=\(state)&limit=\(limit)", body: Optional<RedeemRequest>.none)
    }

    /// Puts dead letters back in the upload queue: the ids given, or all of them when `eventIDs` is `nil`.
    public func retryOutbox(_ eventIDs: [String]?) async throws -> OutboxRetryResponse {
        try await send(.POST, "/api/v1/outbox/retry",
                       body: OutboxRetryRequest(eventIds: eventIDs, all: eventIDs == nil ? true : nil))
    }

    public func printers() async throws -> PrintersResponse {
        try await send(.GET, "/api/v1/printers", body: Optional<RedeemRequest>.none)
    }

    /// Every scanner and the printer, with state and fixes.
    public func devices() async throws -> DevicesResponse {
        try await send(.GET, "/api/v1/devices", body: Optional<RedeemRequest>.none)
    }

    /// The daemon's health checks for `counterctl doctor`.
    /// - Parameter probeHub: ask the hub now (the daemon waits up to 10 s for it).
    public func diagnostics(probeHub: Bool = true) async throws -> DiagnosticsResponse {
        try await send(.GET, "/api/v1/diagnostics?probe_hub=\(probeHub)", body: Optional<RedeemRequest>.none)
    }

    /// The Prometheus text of `GET /metrics`.
    public func metricsText() async throws -> String {
        try checkListener()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: "/metrics") else {
            throw CounterClientError.unreachable(socketPath: socketPath, reason: "the socket path cannot be used in a URL")
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url.absoluteString), timeout: timeout)
        } catch {
            throw CounterClientError.unreachable(socketPath: socketPath, reason: "\(error)")
        }
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        guard response.status.code == 200 else {
            let problem = try? WireJSON.decoder().decode(ErrorBody.self, from: Data(body.readableBytesView))
            throw CounterClientError.api(status: Int(response.status.code), code: problem?.error.code ?? "http_\(response.status.code)",
                                         message: problem?.error.message ?? String(buffer: body).prefix(200).description)
        }
        return String(buffer: body)
    }

    public func printTest(printer: String?, profile: String?) async throws -> PrintJobResponse {
        try await send(.POST, "/api/v1/print-test", body: PrintTestRequest(printer: printer, profile: profile))
    }

    public func reprint(_ redemptionID: String) async throws -> ReprintResponse {
        try await send(.POST, "/api/v1/receipts/\(redemptionID)/reprint", body: Optional<RedeemRequest>.none,
                       acceptedStatuses: [202])
    }

    /// The ESC/POS bytes of a redemption's receipt, as the printer gets them.
    public func receipt(_ redemptionID: String, reprint: Bool = false) async throws -> ReceiptBytesResponse {
        try await send(.GET, "/api/v1/receipts/\(redemptionID)?reprint=\(reprint)", body: Optional<RedeemRequest>.none)
    }

    /// Starts a request whose answer is read as it streams in; throws unless counterd answers 200.
    private func stream(_ method: HTTPMethod, _ path: String, accept: String, deadline: NIODeadline) async throws -> HTTPClientResponse {
        try checkListener()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw CounterClientError.unreachable(socketPath: socketPath, reason: "the socket path cannot be used in a URL")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        request.headers.add(name: "Accept", value: accept)
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, deadline: deadline)
        } catch {
            throw CounterClientError.unreachable(socketPath: socketPath, reason: "\(error)")
        }
        guard response.status.code == 200 else {
            let data = Data(try await response.body.collect(upTo: 1024 * 1024).readableBytesView)
            let problem = try? WireJSON.decoder().decode(ErrorBody.self, from: data)
            throw CounterClientError.api(status: Int(response.status.code), code: problem?.error.code ?? "http_\(response.status.code)",
                                         message: problem?.error.message ?? "")
        }
        return response
    }

    /// Fails at once when nobody listens (the HTTP client would retry the connection until its timeout).
    private func checkListener() throws {
        guard !listenerSeen.withLock({ $0 }) else { return }
        if let problem = UnixSocketProbe.problem(at: socketPath) {
            throw CounterClientError.unreachable(socketPath: socketPath, reason: problem)
        }
        listenerSeen.withLock { $0 = true }
    }

    private func send<Body: Encodable, Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: Body?,
                                                          acceptedStatuses: Set<UInt> = [200]) async throws -> Answer {
        try checkListener()
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw CounterClientError.unreachable(socketPath: socketPath, reason: "the socket path cannot be used in a URL")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let staffID { request.headers.add(name: "Counter-Staff", value: staffID) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try WireJSON.encoder().encode(body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw CounterClientError.unreachable(socketPath: socketPath, reason: "\(error)")
        }
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let data = Data(bytes.readableBytesView)
        guard acceptedStatuses.contains(response.status.code) else {
            if let problem = try? WireJSON.decoder().decode(ErrorBody.self, from: data) {
                throw CounterClientError.api(status: Int(response.status.code), code: problem.error.code,
                                             message: problem.error.message)
            }
            throw CounterClientError.api(status: Int(response.status.code), code: "http_\(response.status.code)",
                                         message: String(decoding: data.prefix(200), as: UTF8.self))
        }
        do {
            return try WireJSON.decoder(for: Answer.self).decode(Answer.self, from: data)
        } catch {
            throw CounterClientError.badResponse("\(error)")
        }
    }
}

/// Why a request to counterd failed.
public enum CounterClientError: Error, CustomStringConvertible {
    /// Nothing answered on the socket (daemon not running, wrong path, no permission).
    case unreachable(socketPath: String, reason: String)
    /// The daemon refused the request.
    case api(status: Int, code: String, message: String)
    /// The daemon's answer could not be read.
    case badResponse(String)

    public var description: String {
        switch self {
        case let .unreachable(path, reason):
            return "cannot reach counterd at \(path) (\(reason)). Start it with `counterd` (demo) or "
                + "`systemctl start counterd`, or point counterctl at its socket with --socket or COUNTERD_SOCKET."
        case let .api(status, code, message):
            return "counterd refused the request (\(status) \(code)): \(message)"
        case let .badResponse(reason):
            return "counterd's answer could not be read: \(reason)"
        }
    }
}
