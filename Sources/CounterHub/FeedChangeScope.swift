/// Whose feed a change touches: every shop (an any-shop campaign or token, a key set, a new epoch), or some.
/// The live feed wakes only the held requests of those shops.
public enum FeedChangeScope: Sendable, Equatable {
    case everyShop
    case shops(Set<String>)

    /// A change no counter's feed shows (a new token of a campaign whose feed carries only exceptions).
    static let nobody = FeedChangeScope.shops([])

    /// The scope of a campaign's or token's shop list (empty: any shop).
    init(shopIDs: [String]) {
        self = shopIDs.isEmpty ? .everyShop : .shops(Set(shopIDs))
    }

    /// Both changes together.
    func merged(with other: FeedChangeScope?) -> FeedChangeScope {
        switch (self, other) {
        case (_, nil): self
        case (.everyShop, _), (_, .everyShop?): .everyShop
        case (.shops(let mine), .shops(let theirs)?): .shops(mine.union(theirs))
        }
    }

    /// The longest NOTIFY payload sent; a longer shop list becomes `*` (PostgreSQL allows under 8000 bytes).
    static let payloadLimit = 7000

    /// As a PostgreSQL NOTIFY payload: `*`, or the shop ids one per line (ids have no spaces or newlines).
    var payload: String {
        guard case .shops(let shops) = self else { return "*" }
        let text = shops.sorted().joined(separator: "\n")
        return text.utf8.count <= Self.payloadLimit ? text : "*"
    }

    /// A payload read back; anything unexpected counts as every shop (a wake-up too many is harmless).
    init(payload: String) {
        let shops = payload.split(separator: "\n").map(String.init)
        self = payload == "*" || shops.isEmpty ? .everyShop : .shops(Set(shops))
    }
}

