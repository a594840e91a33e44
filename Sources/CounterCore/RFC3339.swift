import Foundation

/// RFC 3339 UTC times as the sync protocol writes them: `2026-11-22T02:31:07Z`, fractional seconds allowed.
public enum RFC3339 {
    /// The times a peer may send: 1970-01-01T00:00:00Z up to the end of year 9999. SQLite (through GRDB)
    /// stores times as `yyyy-MM-dd …` text, and a five-digit year written there could not be read back.
    public static let validRange: ClosedRange<Date> = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799.999)

    /// Parses a UTC time with a `Z` suffix, with or without fractional seconds, inside ``validRange``; `nil` otherwise.
    /// RFC 3339 bounds no fraction: digits past the ninth (below a nanosecond) are dropped, up to 64 characters in all.
    public static func parse(_ text: String) -> Date? {
        guard text.hasSuffix("Z") || text.hasSuffix("z"), text.utf8.count <= 64 else { return nil }
        var text = text
        if let dot = text.firstIndex(of: "."), text.distance(from: dot, to: text.endIndex) > 11 {
            // ".123456789" and the "Z": 11 characters; the dropped ones must still be digits.
            let kept = text.index(dot, offsetBy: 10)
            guard text[kept..<text.index(before: text.endIndex)].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            text = String(text[..<kept]) + "Z"
        }
        let date = (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
            ?? (try? Date(text, strategy: Date.ISO8601FormatStyle()))
        guard let date, validRange.contains(date) else { return nil }
        return date
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
