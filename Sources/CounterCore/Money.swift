/// An amount of Chinese yuan, held in fen (1/100 yuan) to stay exact.
public struct Money: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    /// The amount in fen.
    public var fen: Int

    public init(fen: Int) { self.fen = fen }

    /// `￥12.50`. Uses the full-width sign U+FFE5, which GBK printers print in 2 bytes
    /// (the half-width `¥` needs a 4-byte GB18030 sequence most printers garble).
    public var description: String {
        let sign = fen < 0 ? "-" : ""
        let absolute = fen.magnitude  // UInt: `abs(Int.min)` would trap
        let cents = absolute % 100
        return "\(sign)￥\(absolute / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// This amount times `count`, or `nil` when the product does not fit (never traps).
    public func times(_ count: Int) -> Money? {
        let (product, overflow) = fen.multipliedReportingOverflow(by: count)
        return overflow ? nil : Money(fen: product)
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    public init(from decoder: any Decoder) throws {
        fen = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fen)
    }
}
