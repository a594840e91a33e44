import Foundation

/// A redeemable token as the counter knows it: from the synced cache, or from the claims of a signed code.
public struct Token: Hashable, Sendable {
    /// Lifecycle state of a token.
    public enum Status: String, Sendable, Codable {
        case active, revoked
    }

    /// Where the counter learned about the token.
    public enum Origin: String, Sendable, Codable {
        /// From the central engine's feed (or demo data standing in for it).
        case cache
        /// From the claims of a signed code that the cache did not hold yet.
        case signedCode = "signed_code"
    }

    public var id: TokenID
    /// SHA-256 of the typeable code, when known.
    public var codeHash: CodeHash?
    public var campaignID: String
    public var shopScope: ShopScope
    public var usesTotal: Int
    /// Uses left as this counter computes them (total − server count − own uses above the watermark).
    public var usesRemaining: Int
    /// First instant of validity (inclusive); `nil` for no lower bound.
    public var validFrom: Date?
    /// End of validity (exclusive); `nil` for no upper bound.
    public var validUntil: Date?
    public var status: Status
    public var origin: Origin

    public init(id: TokenID, codeHash: CodeHash?, campaignID: String, shopScope: ShopScope, usesTotal: Int,
                usesRemaining: Int, validFrom: Date?, validUntil: Date?, status: Status = .active,
                origin: Origin = .cache) {
        self.id = id
        self.codeHash = codeHash
        self.campaignID = campaignID
        self.shopScope = shopScope
        self.usesTotal = usesTotal
        self.usesRemaining = usesRemaining
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.status = status
        self.origin = origin
    }
}

/// A revocation of one token (refund, cancellation, fraud), by token id.
public struct Revocation: Hashable, Sendable {
    public var tokenID: TokenID
    public var reason: String
    public var revokedAt: Date

    public init(tokenID: TokenID, reason: String, revokedAt: Date) {
        self.tokenID = tokenID
        self.reason = reason
        self.revokedAt = revokedAt
    }
}

/// When and where a token was last used, for the `already_redeemed` verdict.
public struct PriorUse: Hashable, Sendable, Codable {
    public var at: Date
    /// Shop id of the redeeming shop.
    public var shopID: String?
    /// Device id of the redeeming counter.
    public var deviceID: String?

    public init(at: Date, shopID: String?, deviceID: String?) {
        self.at = at
        self.shopID = shopID
        self.deviceID = deviceID
    }
}
