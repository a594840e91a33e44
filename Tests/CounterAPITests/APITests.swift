import CounterAPI
import CounterAPIModels
import CounterCore
import CounterDaemon
import CounterLedger
import CounterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The local API against a real redeemer and ledger (temporary directory, demo data), without sockets.
@Suite struct APITests {
    /// - Parameter guarded: the TCP listener's router (with ``BrowserGuard``) instead of the socket's.
    static func withAPI(guarded: Bool = false, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await TemporaryDirectory.with("counterd-api") { directory in
            var configuration = try DaemonConfiguration.demo(environment: [:])
            configuration.stateDirectory = directory.path
            let ledger = try Ledger(path: configuration.ledgerPath, identity: configuration.identity!)
            try await ledger.apply(DemoData.cacheUpdate(now: Date()))
            let parts = CounterParts(configuration: configuration, ledger: ledger, logger: Logger(label: "test"))
            let router = buildAPIRouter(parts.controllers, browserGuard: guarded ? BrowserGuard(listenerHost: "127.0.0.1") : nil)
            try await Application(router: router).test(.router, body)
        }
    }

    func withAPI(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Self.withAPI(body)
    }

    func post(_ client: any TestClientProtocol, _ path: String, _ json: String) async throws -> (HTTPResponse.Status, Data) {
        try await client.execute(uri: path, method: .post, body: ByteBuffer(string: json)) { response in
            (response.status, Data(response.body.readableBytesView))
        }
    }

    @Test func redeemAnswersTheVerdictContract() async throws {
        try await withAPI { client in
            let (status, data) = try await post(client, "/api/v1/redeem", #"{"code": "demo-0001"}"#)
            #expect(status == .ok)
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(object?["verdict"] as? String == "accepted")
            #expect(object?["reason"] as? String == "ok")
            #expect((object?["redemption_id"] as? String)?.count == 36)
            #expect((object?["token_id"] as? String)?.count == 32)
            #expect(object?["campaign_id"] as? String == "DEMO-COFFEE")
            #expect(object?["uses_left"] as? Int == 0)
            let message = object?["message"] as? [String: String]
            #expect(message?["zh"]?.contains("核销成功") == true)
            #expect(message?["en"]?.contains("Redeemed") == true)

            let (_, again) = try await post(client, "/api/v1/redeem", #"{"code": "DEMO-0001"}"#)
            let verdict = try WireJSON.decoder().decode(VerdictResponse.self, from: again)
            #expect(verdict.verdict == "rejected")
            #expect(verdict.reason == "already_redeemed")
            #expect(verdict.priorUse?.shopId == "DEMO-SHOP")
            #expect(verdict.priorUse?.deviceId == "demo-counter")
        }
    }

    @Test func checkDoesNotRedeem() async throws {
        try await withAPI { client in
            for _ in 0..<2 {
                let (_, data) = try await post(client, "/api/v1/check", #"{"code": "DEMO-0002"}"#)
                #expect(try WireJSON.decoder().decode(VerdictResponse.self, from: data).reason == "ok")
            }
        }
    }

    @Test func badRequestsGetClearErrors() async throws {
        try await withAPI { client in
            let cases: [(String, String, String)] = [
                ("/api/v1/redeem", "not json", "invalid_body"),
                ("/api/v1/redeem", #"{"codes": "x"}"#, "invalid_body"),
                ("/api/v1/redeem", #"{"code": 5}"#, "invalid_body"),
                ("/api/v1/redeem", #"{"code": "DEMO-0001", "uses": 0}"#, "invalid_uses"),
                ("/api/v1/redeem", #"{"code": "DEMO-0001", "uses": 101}"#, "invalid_uses"),
                ("/api/v1/voids", #"{"redemption_id": "nope"}"#, "invalid_redemption_id"),
            ]
            for (path, body, code) in cases {
                let (status, data) = try await post(client, path, body)
                #expect(status == .badRequest, "\(body)")
                #expect(try WireJSON.decoder().decode(ErrorBody.self, from: data).error.code == code, "\(body)")
            }
            let limit = try await client.execute(uri: "/api/v1/redemptions?limit=0", method: .get) { $0.status }
            #expect(limit == .badRequest)
        }
    }

    @Test func voidAndHistory() async throws {
        try await withAPI { client in
            let (_, data) = try await post(client, "/api/v1/redeem", #"{"code": "CARD-0010", "uses": 2, "source": "pos"}"#)
            let id = try #require(try WireJSON.decoder().decode(VerdictResponse.self, from: data).redemptionId)

            let (status, voided) = try await post(client, "/api/v1/voids", #"{"redemption_id": "\#(id)"}"#)
            #expect(status == .ok)
            let outcome = try WireJSON.decoder().decode(VoidResponse.self, from: voided)
            #expect(outcome.status == "voided")
            #expect(outcome.usesLeft == 10)

            let (again, _) = try await post(client, "/api/v1/voids", #"{"redemption_id": "\#(id)"}"#)
            #expect(again == .conflict)
            let (missing, _) = try await post(client, "/api/v1/voids", #"{"redemption_id": "\#(UUID().uuidString)"}"#)
            #expect(missing == .notFound)

            let history = try await client.execute(uri: "/api/v1/redemptions?limit=5", method: .get) {
                try WireJSON.decoder().decode(HistoryResponse.self, from: Data($0.body.readableBytesView))
            }
            #expect(history.redemptions.count == 1)
            #expect(history.redemptions[0].source == "pos")
            #expect(history.redemptions[0].uses == 2)
            #expect(history.redemptions[0].voidedAt != nil)
        }
    }

    @Test func syncNeedsEnrollment() async throws {
        try await withAPI { client in
            let (status, data) = try await post(client, "/api/v1/sync", "")
            #expect(status == .conflict)
            #expect(try WireJSON.decoder().decode(ErrorBody.self, from: data).error.code == "not_enrolled")
        }
    }

    @Test func status() async throws {
        try await withAPI { client in
            let status = try await client.execute(uri: "/api/v1/status", method: .get) {
                try WireJSON.decoder().decode(StatusResponse.self, from: Data($0.body.readableBytesView))
            }
            #expect(status.shopId == "DEMO-SHOP")
            #expect(status.timeZone == "Asia/Shanghai")
            #expect(status.voidWindowSeconds == 600)
            #expect(status.ledger.tokens == 9)
            #expect(status.sources.map(\.kind) == ["terminal"])
        }
    }
}

/// The TCP listener's router serves the cashier's page. (Its checks against other sites' pages need a real
/// Host header: CounterPageIntegrationTests sends them to the real listener.)
@Suite struct CounterPageTests {
    @Test func thePageAndItsFilesAreServedWithAStrictPolicy() async throws {
        try await APITests.withAPI(guarded: true) { client in
            let local = HTTPFields()
            for (path, type) in [("/", "text/html"), ("/counter.js", "text/javascript"), ("/counter.css", "text/css")] {
                try await client.execute(uri: path, method: .get, headers: local) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix(type) == true)
                    let policy = response.headers[.contentSecurityPolicy] ?? ""
                    #expect(policy.contains("script-src 'self'") && policy.contains("frame-ancestors 'none'"))
                    #expect(!policy.contains("unsafe-inline"))
                    #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                }
            }
            let html = try await client.execute(uri: "/", method: .get, headers: local) { String(buffer: $0.body) }
            #expect(html.contains("id=\"code\"") && html.contains("src=\"/counter.js\""))
            #expect(!html.contains("<script>"), "no inline script: the policy forbids it")
            let script = try await client.execute(uri: "/counter.js", method: .get, headers: local) { String(buffer: $0.body) }
            #expect(!script.contains("innerHTML"), "every string is shown through textContent")
        }
    }
}

/// Issue 15: what a hostile local process or web page sends to the API.
@Suite struct HostileAPITests {
    func post(_ client: any TestClientProtocol, _ path: String, _ json: String,
              host: String? = nil) async throws -> (HTTPResponse.Status, String) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let host { headers[HTTPField.Name("Host")!] = host }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: json)) { response in
            (response.status, String(buffer: response.body))
        }
    }

    /// Item 3: `source` and `reason` are stored with every event and uploaded, so they are capped.
    @Test func longOrControlStringsAreRefused() async throws {
        try await APITests.withAPI { client in
            let long = String(repeating: "x", count: 65)
            for body in [#"{"code": "DEMO-0002", "source": "\#(long)"}"#, #"{"code": "DEMO-0002", "source": "a\nb"}"#,
                         #"{"code": "DEMO-0002", "source": ""}"#] {
                let (status, answer) = try await post(client, "/api/v1/redeem", body)
                #expect(status == .badRequest && answer.contains("invalid_source"), "\(body): \(answer)")
            }
            let (ok, _) = try await post(client, "/api/v1/redeem", #"{"code": "DEMO-0002", "source": "\#(String(repeating: "y", count: 64))"}"#)
            #expect(ok == .ok, "64 bytes is within the cap")
            let reason = String(repeating: "原因", count: 50)  // 300 bytes
            let (status, answer) = try await post(client, "/api/v1/voids",
                                                  #"{"redemption_id": "0192f0c1-2a3b-7c4d-8e5f-0123456789ab", "reason": "\#(reason)"}"#)
            #expect(status == .badRequest && answer.contains("invalid_reason"), "\(answer)")
        }
    }

    /// Item 4: `profile` names a file; it must never leave the profile directories.
    @Test func printTestProfileIsAnIDNotAPath() async throws {
        try await APITests.withAPI { client in
            for profile in ["../../../../etc/passwd", "/etc/passwd", "..", "a/../../b", "Generic-58"] {
                let (status, answer) = try await post(client, "/api/v1/print-test", #"{"profile": "\#(profile)"}"#)
                #expect(status == .badRequest && answer.contains("invalid_profile"), "\(profile): \(answer)")
            }
            let (status, answer) = try await post(client, "/api/v1/print-test", #"{"printer": "a\nb"}"#)
            #expect(status == .badRequest && answer.contains("invalid_printer"), "\(answer)")
        }
    }
}
