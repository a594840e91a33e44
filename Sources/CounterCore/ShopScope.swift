/// The shops at which a token may be redeemed.
public enum ShopScope: Hashable, Sendable {
    /// Any shop of the campaign.
    case anyShop
    /// Only the listed shops (by shop id).
    case shops([String])

    /// Whether a shop may redeem under this scope.
    public func allows(_ shopID: String) -> Bool {
        switch self {
        case .anyShop: return true
        case .shops(let ids): return ids.contains(shopID)
        }
    }

    /// The shop ids, empty for ``anyShop``; the stored form.
    public var shopIDs: [String] {
        switch self {
        case .anyShop: return []
        case .shops(let ids): return ids
        }
    }

    /// Builds a scope from stored shop ids; an empty list means any shop.
    public init(shopIDs: [String]) {
        self = shopIDs.isEmpty ? .anyShop : .shops(shopIDs)
    }
}
