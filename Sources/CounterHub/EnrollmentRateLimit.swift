import Foundation
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Synchronization

/// How often `POST /v1/enroll` may be called: a token bucket per client address and one for all clients
/// together (docs/protocol.md, "Enrollment codes"). A request beyond either answers 429 `rate_limited`
/// with `Retry-After`.
public struct EnrollmentRateLimit: Sendable, Equatable {
    /// Requests one client address may make at once.
    public var perAddressBurst: Int
    /// Requests per minute one client address gets back.
    public var perAddressPerMinute: Double
    /// Requests all clients together may make at once.
    public var globalBurst: Int
    /// Requests per minute all clients together get back.
    public var globalPerMinute: Double

    public init(perAddressBurst: Int = 10, perAddressPerMinute: Double = 10, globalBurst: Int = 120,
                globalPerMinute: Double = 120) {
        self.perAddressBurst = perAddressBurst
        self.perAddressPerMinute = perAddressPerMinute
        self.globalBurst = globalBurst
        self.globalPerMinute = globalPerMinute
    }

    /// The default: 10 at once and 10 a minute per address, 120 at once and 120 a minute in all.
    public static let standard = EnrollmentRateLimit()
}

/// Token buckets keyed by client address, plus a global one. Thread-safe; memory stays bounded
/// however many addresses call.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    struct State {
        var global: Bucket
        var perAddress: [String: Bucket] = [:]
    }

    /// Most addresses tracked at once; full buckets are forgotten first.
    static let maxAddresses = 4096

    let limit: EnrollmentRateLimit
    private let state: Mutex<State>
    private let start = ContinuousClock.now

    init(_ limit: EnrollmentRateLimit) {
        self.limit = limit
        state = Mutex(State(global: Bucket(tokens: Double(max(0, limit.globalBurst)), updated: 0)))
    }

    /// How many addresses have a bucket now.
    var trackedAddresses: Int { state.withLock { $0.perAddress.count } }

    /// Seconds since this limiter was made: the default clock of ``acquire(key:now:)``.
    var elapsed: Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Takes one request from the address's bucket and the global one. Returns `nil` when the request may
    /// go ahead, or the whole seconds (at least 1) to wait before trying again; a refused request takes nothing.
    func acquire(key: String, now: Double? = nil) -> Int? {
        let now = now ?? elapsed
        let addressBurst = Double(max(0, limit.perAddressBurst))
        let addressRate = max(0, limit.perAddressPerMinute) / 60
        let globalBurst = Double(max(0, limit.globalBurst))
        let globalRate = max(0, limit.globalPerMinute) / 60
        return state.withLock { state -> Int? in
            state.global = Self.refilled(state.global, now: now, burst: globalBurst, rate: globalRate)
            var address = state.perAddress[key].map { Self.refilled($0, now: now, burst: addressBurst, rate: addressRate) }
                ?? Bucket(tokens: addressBurst, updated: now)
            if address.tokens >= 1 && state.global.tokens >= 1 {
                address.tokens -= 1
                state.global.tokens -= 1
                if state.perAddress[key] == nil && state.perAddress.count >= Self.maxAddresses {
                    Self.forgetFullBuckets(&state, now: now, burst: addressBurst, rate: addressRate)
                    // Still full of busy addresses: refuse newcomers until some buckets refill.
                    guard state.perAddress.count < Self.maxAddresses else {
                        state.global.tokens += 1
                        return Self.wait(for: 1, in: Bucket(tokens: 0, updated: now), rate: addressRate)
                    }
                }
                state.perAddress[key] = address
                return nil
            }
            if state.perAddress[key] != nil { state.perAddress[key] = address }
            return max(Self.wait(for: 1, in: address, rate: addressRate), Self.wait(for: 1, in: state.global, rate: globalRate))
        }
    }

    private static func refilled(_ bucket: Bucket, now: Double, burst: Double, rate: Double) -> Bucket {
        let elapsed = max(0, now - bucket.updated)
        return Bucket(tokens: min(burst, bucket.tokens + elapsed * rate), updated: max(now, bucket.updated))
    }

    private static func forgetFullBuckets(_ state: inout State, now: Double, burst: Double, rate: Double) {
        state.perAddress = state.perAddress.filter { refilled($0.value, now: now, burst: burst, rate: rate).tokens < burst }
    }

    /// Whole seconds until `bucket` holds `tokens`, from 1 to 1 hour (a rate of 0 never refills: 1 hour).
    private static func wait(for tokens: Double, in bucket: Bucket, rate: Double) -> Int {
        guard bucket.tokens < tokens else { return 0 }
        guard rate > 0 else { return 3600 }
        let seconds = ((tokens - bucket.tokens) / rate).rounded(.up)
        return seconds.isFinite ? Int(min(3600, max(1, seconds))) : 3600
    }
}

extension SocketAddress {
    /// The key a client is rate-limited under: its IPv4 address, or the /64 prefix of its IPv6 address
    /// (one subscriber usually holds a whole /64).
    var rateLimitKey: String {
        switch self {
        case .v4:
            return ipAddress ?? "v4"
        case .v6(let address):
            let bytes = withUnsafeBytes(of: address.address.sin6_addr) { Array($0) }
            // An IPv4-mapped address (::ffff:a.b.c.d) counts as its IPv4 address.
            if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return bytes[12...].map(String.init).joined(separator: ".")
            }
            return bytes.prefix(8).map { String(format: "%02x", $0) }.joined() + "::/64"
        case .unixDomainSocket:
            return "unix"
        }
    }
}
