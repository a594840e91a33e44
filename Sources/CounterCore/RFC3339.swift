import Foundation

/// RFC 3339 UTC times as the sync protocol writes them: `2026-11-22T02:31:07Z`, fractional seconds allowed.
public enum RFC3339 {
    /// Parses a UTC time with a `Z` suffix, with or without fractional seconds; `nil` otherwise.
    public static func parse(_ text: String) -> Date? {
        guard text.hasSuffix("Z") || text.hasSuffix("z") else { return nil }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }

    /// Formats with millisecond precision when the time has a fraction, else whole seconds.
    public static func string(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: !whole))
    }

    /// A JSON decoding strategy for RFC 3339 times.
    public static let decodingStrategy = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an RFC 3339 UTC time: \(text)")
        }
        return date
    }

    /// A JSON encoding strategy for RFC 3339 times.
    public static let encodingStrategy = JSONEncoder.DateEncodingStrategy.custom { date, encoder in
        var container = encoder.singleValueContainer()
        try container.encode(string(date))
    }
}
