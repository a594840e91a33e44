import Foundation
import CounterHTTP
import Hummingbird
import NIOCore
import Synchronization

/// Faults counter-hub injects for tests: error answers, delays, dropped connections, truncated bodies.
/// Rates are probabilities from 0 to 1; a seed makes a run repeatable.
public struct FaultInjection: Sendable {
    /// Answer 500 or 429 (half each, with `Retry-After: 1`) before doing anything.
    public var failureRate: Double
    /// Wait this long before answering.
    public var delay: Duration
    /// Do the work, then close the connection without an answer.
    public var dropRate: Double
    /// Do the work, then send only the first half of the body and close.
    public var truncateRate: Double
    private let random: SeededRandom

    public init(failureRate: Double = 0, delay: Duration = .zero, dropRate: Double = 0, truncateRate: Double = 0,
                seed: UInt64 = 1) {
        self.failureRate = failureRate
        self.delay = delay
        self.dropRate = dropRate
        self.truncateRate = truncateRate
        self.random = SeededRandom(seed: seed)
    }

    func roll() -> Double { random.next() }
}

/// A SplitMix64 generator shared across requests.
final class SeededRandom: Sendable {
    private let state: Mutex<UInt64>

    init(seed: UInt64) { state = Mutex(seed) }

    /// A uniform value in 0..<1.
    func next() -> Double {
        let value = state.withLock { state -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Double(value >> 11) / Double(1 << 53)
    }
}

/// Applies ``FaultInjection`` to the feed and the event upload (not to `/v1/time` or `/v1/enroll`,
/// so tests can set a counter up before the faults begin).
struct FaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let faults: FaultInjection

    struct DroppedConnection: Error {}

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path == "/v1/feed" || request.uri.path == "/v1/events" else { return try await next(request, context) }
        if faults.delay > .zero { try await Task.sleep(for: faults.delay) }
        if faults.roll() < faults.failureRate {
            let tooMany = faults.roll() < 0.5
            throw APIError(tooMany ? .tooManyRequests : .internalServerError,
                               code: tooMany ? "rate_limited" : "injected_fault", message: "fault injected by counter-hub")
                .withRetryAfter()
        }
        var response = try await next(request, context)
        let roll = faults.roll()
        if roll < faults.dropRate {
            // The work is done and committed; the answer never arrives.
            response.body = ResponseBody { _ in throw DroppedConnection() }
        } else if roll < faults.dropRate + faults.truncateRate {
            let collector = BodyCollector()
            try await response.body.write(collector)
            let whole = collector.buffer
            let half = ByteBuffer(bytes: whole.readableBytesView.prefix(whole.readableBytes / 2))
            response.headers[.contentLength] = "\(whole.readableBytes)"
            response.body = ResponseBody { writer in
                try await writer.write(half)
                throw DroppedConnection()
            }
        }
        return response
    }
}

extension APIError {
    /// Injected 429/500 answers ask the client to wait one second.
    func withRetryAfter() -> APIError {
        var error = self
        error.headers[.retryAfter] = "1"
        return error
    }
}

/// Collects a response body (to truncate it).
final class BodyCollector: ResponseBodyWriter, @unchecked Sendable {
    // Used by one request task only.
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        self.buffer.writeBuffer(&buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
