import Foundation

/// A campaign: what a code buys, what it is worth, and what the shop earns per redemption.
public struct Campaign: Hashable, Sendable {
    /// Whether a signed code not yet in the cache may be redeemed offline.
    public enum OfflinePolicy: String, Sendable, Codable {
        /// Accept a valid signed code even when the token is not in the cache.
        case allowSigned = "allow_signed"
        /// Only accept codes listed in the synced cache.
        case cacheOnly = "cache_only"
    }

    /// Lifecycle state set by the central engine.
    public enum Status: String, Sendable, Codable {
        case active, paused, ended
    }

    public var id: String
    public var title: String
    public var product: String
    /// Face value in fen (1/100 yuan).
    public var faceValue: Money
    /// The shop's reward per redemption (本单服务点奖励), if the campaign pays one.
    public var shopReward: Money?
    public var activeFrom: Date?
    public var activeUntil: Date?
    public var offlinePolicy: OfflinePolicy
    public var status: Status
    /// A practice campaign (练习): its codes redeem only on a counter in training mode, and never count.
    public var training: Bool

    public init(id: String, title: String, product: String, faceValue: Money, shopReward: Money? = nil,
                activeFrom: Date? = nil, activeUntil: Date? = nil,
                offlinePolicy: OfflinePolicy = .cacheOnly, status: Status = .active, training: Bool = false) {
        self.id = id
        self.title = title
        self.product = product
        self.faceValue = faceValue
        self.shopReward = shopReward
        self.activeFrom = activeFrom
        self.activeUntil = activeUntil
        self.offlinePolicy = offlinePolicy
        self.status = status
        self.training = training
    }

    /// Whether the campaign accepts redemptions at `now`: active, and inside its window
    /// (`activeFrom` inclusive, `activeUntil` exclusive).
    public func isActive(at now: Date) -> Bool {
        guard status == .active else { return false }
        if let activeFrom, now < activeFrom { return false }
        if let activeUntil, now >= activeUntil { return false }
        return true
    }
}
