/// The random identifier of a token (at least 128 bits), shared by its typeable code and its signed code.
public struct TokenID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The identifier bytes (16 in format version 1).
    public let bytes: [UInt8]

    /// Wraps 16 identifier bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses the 32-character hex form; `nil` when it is not one.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// A new random identifier from the system's secure generator.
    public static func random() -> TokenID {
        var generator = SystemRandomNumberGenerator()
        return TokenID(bytes: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })!
    }

    /// The lower-case hex form used in storage, JSON and logs.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = TokenID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "token id must be 32 hex characters"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
