import Foundation

/// Why a call to the hub failed, and whether trying again can help.
public enum SyncError: Error, CustomStringConvertible, Equatable {
    /// No answer: connection refused, reset, timed out, or a body cut short.
    case unreachable(String)
    /// 429 or 5xx: try again later, after `retryAfter` seconds if the hub said so.
    case retryable(status: Int, retryAfter: TimeInterval?)
    /// 401: the credential is wrong or revoked; stop until re-enrolled or asked.
    case unauthorized
    /// 401 `device_revoked`: the platform revoked this counter; nothing syncs until it is enrolled again.
    case deviceRevoked
    /// Another answer that will not change by retrying (400, 403, 404, 413, …).
    case refused(status: Int, code: String, message: String)
    /// An answer that does not follow the contract (truncated, malformed, hostile).
    case invalidResponse(String)
    /// The counter has no credential.
    case notEnrolled

    /// `seconds` rounded to a whole number for a message, without trapping on NaN, infinity or huge values.
    static func wholeSeconds(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "\(seconds)" }
        return String(Int64(seconds.rounded()))
    }

    /// Whether backing off and trying again makes sense.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .retryable, .invalidResponse: return true
        case .unauthorized, .deviceRevoked, .refused, .notEnrolled: return false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let reason): return "hub unreachable: \(reason)"
        case let .retryable(status, retryAfter):
            return "hub busy (HTTP \(status))" + (retryAfter.map { ", retry after \(Self.wholeSeconds($0)) s" } ?? "")
        case .unauthorized: return "credential rejected by the hub (HTTP 401): re-enroll with `counterd enroll`"
        case .deviceRevoked:
            return "此设备已被停用 / device revoked by the platform (HTTP 401 device_revoked): redemptions stay here, "
                + "queued; ask the platform for a new enrollment code and enroll this counter again (`counterd enroll`)"
        case let .refused(status, code, message): return "hub refused the request (HTTP \(status) \(code)): \(message)"
        case .invalidResponse(let reason): return "hub answer rejected: \(reason)"
        case .notEnrolled: return "not enrolled: run `counterd enroll --config FILE --hub URL --code CODE`"
        }
    }
}

/// Exponential backoff with full jitter, capped (1 s, 2 s, 4 s … 5 min).
public struct Backoff: Sendable {
    public var base: TimeInterval = 1
    public var cap: TimeInterval = 300
    public private(set) var failures = 0

    public init(base: TimeInterval = 1, cap: TimeInterval = 300) {
        self.base = base
        self.cap = cap
    }

    /// The wait after one more failure: a random time up to the exponential bound, or `retryAfter` if longer
    /// (capped at one hour; a `retryAfter` that is not a finite, non-negative number is ignored).
    public mutating func nextDelay(retryAfter: TimeInterval? = nil) -> TimeInterval {
        failures = min(failures + 1, 64)
        let bound = min(cap, base * pow(2, Double(min(failures - 1, 30))))
        let jittered = Double.random(in: 0...max(0, bound))
        let asked = retryAfter.flatMap { $0.isFinite && $0 >= 0 ? min($0, 3600) : nil } ?? 0
        return max(jittered, asked)
    }

    public mutating func reset() { failures = 0 }
}
