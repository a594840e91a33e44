import CounterCore
@testable import CounterSync
import CounterTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// counterd's side of device token rotation against a fake hub that answers what each test says: a hostile answer
/// never replaces the saved token, and the token is saved before it is sent.
@Suite struct TokenRotationTests {
    /// Runs a rotation with a token `days` old against a hub answering `body`; returns the error, the saved
    /// credential afterwards and the bearer tokens the hub saw, in order.
    func rotate(answer body: String, status: Int = 200, days: Double = 100)
        async throws -> (error: (any Error)?, saved: HubCredential, seen: [String]) {
        let seen = Mutex<[String]>([])
        let router = Router()
        router.post("v1/device/token") { request, _ -> Response in
            seen.withLock { $0.append(request.headers[.authorization] ?? "") }
            return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let (error, saved) = try await Application(router: router).test(.live) { client -> ((any Error)?, HubCredential) in
            let directory = try TemporaryDirectory("counterd-rotation").path
            let url = "http://127.0.0.1:\(client.port!)"
            try HubCredential(hubURL: url, deviceID: "dev-1", shopID: "SHOP-1", deviceToken: "cdt_old_token_000000000000000000000000000000000001", rootPublicKey: "",
                              enrolledAt: Date().addingTimeInterval(-days * 86_400)).save(to: directory)
            let hub = HubClient(baseURL: URL(string: url)!, token: "cdt_old_token_000000000000000000000000000000000001")
            let rotation = TokenRotation(client: hub, stateDirectory: directory, period: .seconds(90 * 86_400), logger: Logger(label: "test"))
            var error: (any Error)?
            do { _ = try await rotation.rotateIfDue() } catch let caught { error = caught }
            let saved = try #require(try HubCredential.load(from: directory))
            // What the client sends from now on is what was saved.
            #expect(hub.token == saved.deviceToken)
            return (error, saved)
        }
        return (error, saved, seen.withLock { $0 })
    }

    @Test func aGoodAnswerIsSavedAndUsed() async throws {
        let (error, saved, seen) = try await rotate(answer: #"{"device_id":"dev-1","device_token":"cdt_new_token_000000000000000000000000000000000002"}"#)
        #expect(error == nil)
        #expect(saved.deviceToken == "cdt_new_token_000000000000000000000000000000000002")
        #expect(saved.tokenIssuedAt != nil)
        #expect(seen == ["Bearer cdt_old_token_000000000000000000000000000000000001"], "asked with the current token")
    }

    @Test func aYoungTokenIsLeftAlone() async throws {
        let (error, saved, seen) = try await rotate(answer: #"{"device_id":"dev-1","device_token":"cdt_new_token_000000000000000000000000000000000002"}"#, days: 10)
        #expect(error == nil)
        #expect(saved.deviceToken == "cdt_old_token_000000000000000000000000000000000001")
        #expect(seen.isEmpty)
    }

    @Test(arguments: [
        #"{"device_id":"dev-2","device_token":"cdt_new_token_000000000000000000000000000000000002"}"#,
        #"{"device_id":"dev-1","device_token":"cdt_new_token_0000000000000000000000000000\r\nX-Injected: 1"}"#,
        #"{"device_id":"dev-1","device_token":"short"}"#,
        #"{"device_id":"dev-1","device_token":"cdt_令牌_token_000000000000000000000000000000000002"}"#,
        #"{"device_id":"dev-1"}"#,
        #"{"device_id":"dev-1","device_token":"cdt_new_token_000000000000000000000000000000000002""#,
    ])
    func aHostileAnswerKeepsTheCurrentToken(answer: String) async throws {
        let (error, saved, _) = try await rotate(answer: answer)
        #expect((error as? SyncError)?.isRetryable == true, "\(String(describing: error))")
        #expect(saved.deviceToken == "cdt_old_token_000000000000000000000000000000000001")
        #expect(saved.tokenIssuedAt == nil)
    }

    @Test func aRefusalKeepsTheCurrentToken() async throws {
        let (error, saved, _) = try await rotate(answer: #"{"error":{"code":"device_revoked","message":"x"}}"#, status: 401)
        #expect(error as? SyncError == .deviceRevoked)
        #expect(saved.deviceToken == "cdt_old_token_000000000000000000000000000000000001")
    }

    @Test func deviceTokensAreTheContractsPrintableASCII() {
        #expect(HubClient.isDeviceToken("cdt_" + String(repeating: "ab", count: 32)))
        #expect(HubClient.isDeviceToken(String(repeating: "~", count: 43)))
        #expect(HubClient.isDeviceToken(String(repeating: "!", count: 512)))
        #expect(!HubClient.isDeviceToken(String(repeating: "a", count: 42)))
        #expect(!HubClient.isDeviceToken(String(repeating: "a", count: 513)))
        #expect(!HubClient.isDeviceToken(String(repeating: "a", count: 42) + " "))
        #expect(!HubClient.isDeviceToken(String(repeating: "a", count: 42) + "\u{7F}"))
    }
}
