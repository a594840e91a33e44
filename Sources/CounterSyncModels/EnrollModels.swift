import CounterCore
import Foundation

/// `GET /v1/time`.
public struct TimeResponse: Codable, Sendable, Equatable {
    public var serverTime: Date
    public var apiVersion: String
    public var status: String

    public init(serverTime: Date, apiVersion: String = "1", status: String = "ok") {
        self.serverTime = serverTime
        self.apiVersion = apiVersion
        self.status = status
    }
}

/// `POST /v1/enroll` request.
public struct EnrollRequest: Codable, Sendable, Equatable {
    public var enrollmentCode: String
    public var deviceName: String?

    public init(enrollmentCode: String, deviceName: String? = nil) {
        self.enrollmentCode = enrollmentCode
        self.deviceName = deviceName
    }
}

/// `POST /v1/enroll` answer: the device credential and the root key to pin.
public struct EnrollResponse: Codable, Sendable, Equatable {
    public var deviceId: String
    public var shopId: String
    public var deviceToken: String
    /// 64 hex characters: the raw Ed25519 key that signs key sets.
    public var rootPublicKey: String
    public var serverTime: Date

    public init(deviceId: String, shopId: String, deviceToken: String, rootPublicKey: String, serverTime: Date) {
        self.deviceId = deviceId
        self.shopId = shopId
        self.deviceToken = deviceToken
        self.rootPublicKey = rootPublicKey
        self.serverTime = serverTime
    }
}

/// `POST /v1/device/token` answer: the device's next bearer token. The current one stays valid until this one is
/// first used.
public struct DeviceTokenResponse: Codable, Sendable, Equatable {
    public var deviceId: String
    public var deviceToken: String

    public init(deviceId: String, deviceToken: String) {
        self.deviceId = deviceId
        self.deviceToken = deviceToken
    }
}
