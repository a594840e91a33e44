extension Int {
    /// `value` rounded toward zero and clamped to `Int`'s range; NaN becomes 0. For times and ages computed from
    /// stored or received dates, where `Int(_:)` would trap on an absurd value instead of showing it.
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.223372036854775e18 {
            self = .max
        } else if value <= -9.223372036854775e18 {
            self = .min
        } else {
            self = Int(value)
        }
    }
}
