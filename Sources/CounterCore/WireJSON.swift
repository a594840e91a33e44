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

    /// The encoder for `type`: without key conversion for a ``WireLiteralKeys`` type (its keys are spelled as they
    /// travel), else ``encoder()``. The output is the same; skipping the conversion halves the cost of large bodies.
    public static func encoder<T>(for type: T.Type) -> JSONEncoder {
        let encoder = encoder()
        if type is any WireLiteralKeys.Type { encoder.keyEncodingStrategy = .useDefaultKeys }
        return encoder
    }

    /// The decoder for `type`: without key conversion for a ``WireLiteralKeys`` type, else ``decoder()``. A
    /// ``WireLiteralKeys`` type must be decoded through this one (the converting decoder would not find its keys).
    public static func decoder<T>(for type: T.Type) -> JSONDecoder {
        let decoder = decoder()
        if type is any WireLiteralKeys.Type { decoder.keyDecodingStrategy = .useDefaultKeys }
        return decoder
    }
}

/// A wire type whose coding keys (and those of every type inside it) are spelled in snake_case as they travel, so
/// its JSON needs no key conversion (``WireJSON/encoder(for:)``, ``WireJSON/decoder(for:)``). The feed page is one:
/// the hub encodes and a counter decodes up to a million tokens of them in an initial sync.
public protocol WireLiteralKeys {}

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
