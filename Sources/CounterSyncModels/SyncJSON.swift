import CounterCore
import Foundation

/// JSON conventions of the sync protocol: snake_case keys, RFC 3339 UTC times (fractions allowed).
public enum SyncJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = RFC3339.encodingStrategy
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = RFC3339.decodingStrategy
        return decoder
    }
}

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

/// The error body of every endpoint: `{"error": {"code", "message"}, "server_time"}`.
public struct SyncErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
    }

    public var error: Detail
    public var serverTime: Date?

    public init(code: String, message: String, serverTime: Date?) {
        error = Detail(code: code, message: message)
        self.serverTime = serverTime
    }
}
