import CounterTestSupport
@testable import CounterHub
import CounterCore
import CounterHTTP
import CounterSyncModels
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// counter-hub under hostile input: what schemathesis found against docs/openapi.yaml, the enrollment
/// rate limit the contract promises, and the modes of the files holding the private keys (issue 15).
@Suite struct HubHardeningTests {
    func store() throws -> (store: HubStore, device: HubDevice, token: String) {
        let store = try HubStore(location: try TestDatabase.location())
        try store.createShop(id: "SHOP-1", name: "东门")
        let (device, token) = try store.enroll(code: try store.makeEnrollmentCode(shop: "SHOP-1"), deviceName: "till")
        return (store, device, token)
    }

    struct ErrorBody: Decodable {
        struct Detail: Decodable { var code: String }
        var error: Detail
    }

    static func errorCode(_ response: TestResponse) -> String? {
        try? WireJSON.decoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error.code
    }

    @Test func cursorsOutsideTheContractsLengthAreRefusedWith400() async throws {
        let hub = try store()
        let app = Application(router: buildHubRouter(store: hub.store))
        let auth: HTTPFields = [.authorization: "Bearer \(hub.token)"]
        try await app.test(.router) { client in
            for (cursor, expected) in [(String(repeating: "A", count: 1025), HTTPResponse.Status.badRequest),
                                       (String(repeating: "é", count: 1025), .badRequest),
                                       ("", .badRequest),
                                       (String(repeating: "A", count: 1024), .ok),
                                       (String(repeating: "é", count: 1024), .ok)] {
                let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let (status, code) = try await client.execute(uri: "/v1/feed?cursor=\(encoded)", method: .get, headers: auth) {
                    ($0.status, Self.errorCode($0))
                }
                #expect(status == expected, "cursor of \(cursor.count) × \(cursor.prefix(1))")
                if expected == .badRequest { #expect(code == "invalid_request") }
            }
            // A cursor of the right length that the hub does not know is a reset, not an error.
            let page = try await client.execute(uri: "/v1/feed?cursor=garbage", method: .get, headers: auth) { response in
                try WireJSON.decoder(for: FeedPage.self).decode(FeedPage.self, from: Data(response.body.readableBytesView))
            }
            #expect(page.reset)
        }
    }

    @Test func unsupportedMethodsOnKnownPathsAnswer405WithAllow() async throws {
        let hub = try store()
        let app = Application(router: buildHubRouter(store: hub.store, faults: FaultInjection(delay: .milliseconds(1))))
        try await app.test(.router) { client in
            for (method, path, allow) in [(HTTPRequest.Method.trace, "/v1/time", "GET"), (.post, "/v1/time", "GET"),
                                          (.delete, "/v1/feed", "GET"), (.get, "/v1/enroll", "POST"),
                                          (.put, "/v1/events", "POST"), (.head, "/v1/events/", "POST"),
                                          (.options, "/v1//feed", "GET")] {
                let (status, allowed, code) = try await client.execute(uri: path, method: method) {
                    ($0.status, $0.headers[.allow], Self.errorCode($0))
                }
                #expect(status == .methodNotAllowed, "\(method) \(path)")
                #expect(allowed == allow, "\(method) \(path)")
                if method != .head { #expect(code == "method_not_allowed", "\(method) \(path)") }
            }
            // Unknown paths stay 404, in the protocol's error format.
            for path in ["/v1/nothing", "/", "/v2/feed", "/v1/time/x"] {
                let (status, code) = try await client.execute(uri: path, method: .get) { ($0.status, Self.errorCode($0)) }
                #expect(status == .notFound, "\(path)")
                #expect(code == "not_found", "\(path)")
            }
            // The routes themselves are unchanged.
            #expect(try await client.execute(uri: "/v1/time", method: .get) { $0.status } == .ok)
        }
    }

    @Test func batchesOfMoreThan500EventsAre413AsTheContractSays() async throws {
        let hub = try store()
        let app = Application(router: buildHubRouter(store: hub.store))
        let auth: HTTPFields = [.authorization: "Bearer \(hub.token)", .contentType: "application/json"]
        func batch(_ count: Int) throws -> ByteBuffer {
            let event = EventsRequest.Event(type: "rejection", id: "019aa9d3-4b20-7c11-9d2e-6f7a8b9c0d1e", occurredAt: Date(),
                                            clockSuspect: false, source: "test", reason: "unknown_code")
            return ByteBuffer(bytes: try WireJSON.encoder().encode(EventsRequest(deviceId: hub.device.id,
                                                                                  events: Array(repeating: event, count: count))))
        }
        let (tooManyEvents, noEvents, fullBatch) = (try batch(501), try batch(0), try batch(500))
        try await app.test(.router) { client in
            let tooMany = try await client.execute(uri: "/v1/events", method: .post, headers: auth, body: tooManyEvents) {
                ($0.status, Self.errorCode($0))
            }
            #expect(tooMany.0 == .contentTooLarge)
            #expect(tooMany.1 == "batch_too_large")
            let none = try await client.execute(uri: "/v1/events", method: .post, headers: auth, body: noEvents) { $0.status }
            #expect(none == .badRequest)
            let full = try await client.execute(uri: "/v1/events", method: .post, headers: auth, body: fullBatch) { $0.status }
            #expect(full == .ok)
        }
    }

    @Test func enrollmentBodiesOutsideTheContractAre400AndSpendNoCode() async throws {
        let hub = try store()
        let app = Application(router: buildHubRouter(store: hub.store))
        let code = try hub.store.makeEnrollmentCode(shop: "SHOP-1")
        try await app.test(.router) { client in
            for body in [#"{"enrollment_code": "\#(code)", "device_name": "\#(String(repeating: "x", count: 65))"}"#,
                         #"{"enrollment_code": "\#(code)", "device_name": "\#(String(repeating: "货", count: 65))"}"#,
                         #"{"enrollment_code": ""}"#,
                         #"{"enrollment_code": "\#(String(repeating: "A", count: 129))"}"#] {
                let (status, error) = try await client.execute(uri: "/v1/enroll", method: .post, body: ByteBuffer(string: body)) {
                    ($0.status, Self.errorCode($0))
                }
                #expect(status == .badRequest, "\(body.prefix(60))")
                #expect(error == "invalid_request")
            }
            let named = #"{"enrollment_code": "\#(code)", "device_name": "\#(String(repeating: "货", count: 64))"}"#
            #expect(try await client.execute(uri: "/v1/enroll", method: .post, body: ByteBuffer(string: named)) { $0.status } == .ok)
        }
    }

    @Test func enrollmentIsRateLimitedWith429AndRetryAfter() async throws {
        let hub = try store()
        let limit = EnrollmentRateLimit(perAddressBurst: 3, perAddressPerMinute: 1, globalBurst: 100, globalPerMinute: 100)
        let app = Application(router: buildHubRouter(store: hub.store, enrollmentLimit: limit))
        let good = try hub.store.makeEnrollmentCode(shop: "SHOP-1")
        try await app.test(.router) { client in
            for _ in 0..<3 {
                let status = try await client.execute(uri: "/v1/enroll", method: .post,
                                                      body: ByteBuffer(string: #"{"enrollment_code": "WRONG-CODE"}"#)) { $0.status }
                #expect(status == .forbidden)
            }
            // The fourth attempt is refused before the code is even looked at: a good code waits too.
            let (status, retryAfter, code) = try await client.execute(
                uri: "/v1/enroll", method: .post, body: ByteBuffer(string: #"{"enrollment_code": "\#(good)"}"#)) {
                ($0.status, $0.headers[.retryAfter], Self.errorCode($0))
            }
            #expect(status == .tooManyRequests)
            #expect(code == "rate_limited")
            #expect(retryAfter.flatMap(Int.init).map { (1...60).contains($0) } == true, "Retry-After: \(retryAfter ?? "none")")
            // Other endpoints are not limited.
            #expect(try await client.execute(uri: "/v1/time", method: .get) { $0.status } == .ok)
        }
        // The good code was not spent by the refused attempt.
        #expect(throws: Never.self) { try hub.store.enroll(code: good, deviceName: nil) }
    }

    @Test func theLiveServerKnowsTheClientsAddress() async throws {
        // The limiter is keyed by ServerRequestContext.remoteAddress: on a real socket it must be the peer's.
        let router = Router(context: ServerRequestContext.self)
        router.get("whoami") { _, context in context.remoteAddress?.rateLimitKey ?? "none" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let key = try await client.execute(uri: "/whoami", method: .get) { String(buffer: $0.body) }
            #expect(key == "127.0.0.1")
        }
    }

    @Test func rateLimiterBucketsPerAddressAndGlobally() {
        // Per address: 2 at once, one back every 8 s. In all: 2 at once, one back every 2 s.
        let limiter = RateLimiter(EnrollmentRateLimit(perAddressBurst: 2, perAddressPerMinute: 7.5, globalBurst: 2,
                                                      globalPerMinute: 30))
        #expect(limiter.acquire(key: "a", now: 0) == nil)
        #expect(limiter.acquire(key: "a", now: 0) == nil)
        #expect(limiter.acquire(key: "a", now: 0) == 8)
        // Another address has its own bucket, but the global one is empty too.
        #expect(limiter.acquire(key: "b", now: 1) == 1)
        #expect(limiter.acquire(key: "b", now: 2) == nil)
        #expect(limiter.acquire(key: "c", now: 2) == 2)
        // A refused request took nothing.
        #expect(limiter.acquire(key: "a", now: 4) == 4)
        #expect(limiter.acquire(key: "a", now: 8) == nil)
        #expect(limiter.acquire(key: "a", now: 8) == 8)
    }

    @Test func rateLimiterMemoryStaysBoundedUnderManyAddresses() {
        let limiter = RateLimiter(EnrollmentRateLimit(perAddressBurst: 1, perAddressPerMinute: 60, globalBurst: 1_000_000,
                                                      globalPerMinute: 1_000_000))
        for index in 0..<(RateLimiter.maxAddresses + 100) {
            _ = limiter.acquire(key: "10.0.\(index)", now: 0)
        }
        #expect(limiter.trackedAddresses <= RateLimiter.maxAddresses)
        // Once their buckets have refilled, old addresses make room for new ones.
        #expect(limiter.acquire(key: "new", now: 2) == nil)
        #expect(limiter.trackedAddresses <= RateLimiter.maxAddresses)
    }

    @Test func clientsAreKeyedByIPv4AddressOrIPv6Prefix() throws {
        #expect(try SocketAddress(ipAddress: "192.0.2.7", port: 1).rateLimitKey == "192.0.2.7")
        #expect(try SocketAddress(ipAddress: "192.0.2.7", port: 1).rateLimitKey != SocketAddress(ipAddress: "192.0.2.8", port: 1).rateLimitKey)
        #expect(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1).rateLimitKey
            == SocketAddress(ipAddress: "2001:db8:1:2:ffff::9", port: 2).rateLimitKey)
        #expect(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1).rateLimitKey
            != SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1).rateLimitKey)
        #expect(try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1).rateLimitKey == "192.0.2.7")
    }

    static func mode(_ path: String) -> Int? {
        try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
    }

    @Test func theKeyDatabaseIsPrivateWhateverTheUmaskOrWhoeverMadeTheDirectory() throws {
        // A fresh directory and database.
        let fresh = NSTemporaryDirectory() + "counter-hub-\(UUID().uuidString)"
        let first = try HubStore(directory: fresh)
        try first.createShop(id: "SHOP-1", name: "x")
        #expect(Self.mode(fresh) == 0o700)
        for file in ["hub.sqlite", "hub.sqlite-wal", "hub.sqlite-shm"] {
            #expect(Self.mode(fresh + "/" + file) == 0o600, "\(file)")
        }

        // A directory someone else made, and files left readable (an older counter-hub, a copy, a umask of 0).
        let existing = NSTemporaryDirectory() + "counter-hub-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        let old = try HubStore(directory: existing)
        try old.createShop(id: "SHOP-1", name: "x")
        for file in ["", "/hub.sqlite", "/hub.sqlite-wal", "/hub.sqlite-shm"] {
            #expect(chmod(existing + file, file.isEmpty ? 0o755 : 0o644) == 0)
        }
        // Opening it again (`serve`, or an admin command while `serve` runs) makes it private.
        let reopened = try HubStore(directory: existing)
        #expect(Self.mode(existing) == 0o700)
        for file in ["hub.sqlite", "hub.sqlite-wal", "hub.sqlite-shm"] {
            #expect(Self.mode(existing + "/" + file) == 0o600, "\(file)")
        }
        #expect(try reopened.rootPublicKeyHex() == old.rootPublicKeyHex())
    }
}
