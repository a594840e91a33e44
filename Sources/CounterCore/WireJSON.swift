import Foundation

/// The JSON conventions of every HTTP interface counterd speaks (the local API and the sync protocol):
/// snake_case keys, RFC 3339 UTC times (milliseconds when the time has a fraction, read with or without
/// them), sorted keys.
public enum WireJSON {
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

/// The error body of every endpoint, on the local API and the hub alike:
/// `{"error": {"code", "message"}, "server_time"}`.
public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        /// A stable, machine-readable code such as `invalid_request`.
        public var code: String
        /// What went wrong, for people.
        public var message: String
    }

    public var error: Detail
    /// When the server answered; absent in answers written before it was added.
    public var serverTime: Date?

    public init(code: String, message: String, serverTime: Date? = nil) {
        error = Detail(code: code, message: message)
        self.serverTime = serverTime
    }
}

extension UUID {
    /// The UUID as every interface and log line writes it: lower-case, with hyphens.
    public var lowercasedString: String { uuidString.lowercased() }
}
