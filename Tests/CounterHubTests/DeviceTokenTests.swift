import CounterCore
@testable import CounterHub
import CounterSyncModels
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Device token rotation (issue 16, item 5): the new token replaces the old one at its first use, never before.
@Suite struct DeviceTokenTests {
    func feedStatus(_ client: some TestClientProtocol, _ token: String) async throws -> (HTTPResponse.Status, String?) {
        try await client.execute(uri: "/v1/feed", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
            (response.status, try? WireJSON.decoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error.code)
        }
    }

    func rotate(_ client: some TestClientProtocol, _ token: String) async throws -> (HTTPResponse.Status, DeviceTokenResponse?) {
        try await client.execute(uri: "/v1/device/token", method: .post, headers: [.authorization: "Bearer \(token)"]) { response in
            (response.status, try? WireJSON.decoder().decode(DeviceTokenResponse.self, from: Data(response.body.readableBytesView)))
        }
    }

    @Test func theOldTokenWorksUntilTheNewOneIsUsedAndNeverAfter() async throws {
        let hub = try Hub()
        let enrolled = try #require(try hub.store.devices().first?.tokenIssuedAt)
        let app = Application(router: buildHubRouter(store: hub.store))
        try await app.test(.router) { client in
            let (status, answer) = try await rotate(client, hub.token)
            #expect(status == .ok)
            let next = try #require(answer)
            #expect(next.deviceId == hub.device.id)
            #expect(next.deviceToken.hasPrefix("cdt_") && next.deviceToken != hub.token)
            // Lost answer, crash before saving: the old token still works, as often as needed.
            #expect(try await feedStatus(client, hub.token).0 == .ok)
            #expect(try await feedStatus(client, hub.token).0 == .ok)
            // The first use of the new one retires the old one.
            #expect(try await feedStatus(client, next.deviceToken).0 == .ok)
            #expect(try await feedStatus(client, hub.token) == (.unauthorized, "unauthorized"))
            #expect(try await feedStatus(client, next.deviceToken).0 == .ok)
            #expect(try await rotate(client, hub.token).0 == .unauthorized)
        }
        let listed = try #require(try hub.store.devices().first)
        #expect(try #require(listed.tokenIssuedAt) > enrolled)
    }

    @Test func onlyTheLastTokenHandedOutCanEverBeUsed() throws {
        let hub = try Hub()
        let first = try hub.store.rotateDeviceToken(of: hub.device)
        let second = try hub.store.rotateDeviceToken(of: hub.device)
        #expect(try hub.store.device(bearer: first) == nil, "a token replaced before its first use is void")
        #expect(try hub.store.device(bearer: second) == hub.device)
        #expect(try hub.store.device(bearer: hub.token) == nil)
        // A token that is already the device's token stays it (two requests racing with it change nothing).
        #expect(try hub.store.device(bearer: second) == hub.device)
    }

    @Test func aRevokedDeviceCannotRotateAndItsWaitingTokenIsRefusedToo() async throws {
        let hub = try Hub()
        let waiting = try hub.store.rotateDeviceToken(of: hub.device)
        try hub.store.revokeDevice(hub.device.id, reason: "stolen")
        #expect(throws: HubError.self) { try hub.store.device(bearer: waiting) }
        #expect(throws: HubError.self) { try hub.store.rotateDeviceToken(of: hub.device) }
        let app = Application(router: buildHubRouter(store: hub.store))
        try await app.test(.router) { client in
            let status = try await client.execute(uri: "/v1/device/token", method: .post,
                                                  headers: [.authorization: "Bearer \(hub.token)"]) { response in
                (response.status, try WireJSON.decoder().decode(ErrorBody.self, from: Data(response.body.readableBytesView)).error.code)
            }
            #expect(status == (.unauthorized, "device_revoked"))
            #expect(try await rotate(client, "cdt_nobody").0 == .unauthorized)
        }
    }
}
