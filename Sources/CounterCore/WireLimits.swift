/// The ranges the `/v1` contract gives its numbers (docs/protocol.md, "Integers"; docs/openapi.yaml).
/// Every number in a hub's answer is checked against them before anything computes with it, so that
/// no answer, however hostile, can overflow an operation or trap a conversion.
public enum WireLimits {
    /// Positions, device sequences, counts and amounts in fen: 0 to 2^53 − 1, exact in every JSON library.
    public static let integers: ClosedRange<Int64> = 0...9_007_199_254_740_991
    /// A token's total uses (the signed form has 16 bits for them).
    public static let usesTotal: ClosedRange<Int> = 1...65_535
    /// `max_data_age_seconds`: one minute to ten years.
    public static let maxDataAgeSeconds: ClosedRange<Int> = 60...315_360_000
    /// A shop's `manager_void_window_seconds`: none to seven days.
    public static let managerVoidWindowSeconds: ClosedRange<Int> = 0...604_800
}

extension WireLimits {
    /// Whether `text` is an identifier of the contract (shop, campaign and staff ids): 1 to 64 printable ASCII
    /// characters without space.
    public static func isIdentifier(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
