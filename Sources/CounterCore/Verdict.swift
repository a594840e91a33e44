import Foundation

/// The answer to a scan: accepted, or rejected with one reason, with what the cashier needs to see.
public struct Verdict: Hashable, Sendable {
    public var reason: VerdictReason
    public var tokenID: TokenID?
    public var campaign: Campaign?
    /// Uses left after this verdict (after the redemption when accepted).
    public var usesLeft: Int?
    /// Uses taken by this redemption (accepted verdicts only).
    public var usesRedeemed: Int
    /// Set when the verdict committed a redemption.
    public var redemption: RedemptionReceipt?
    /// For `already_redeemed`: the last known use.
    public var priorUse: PriorUse?
    /// For `not_yet_valid` / `expired`: the token's window.
    public var validFrom: Date?
    public var validUntil: Date?
    /// For `already_redeemed` on multi-use tokens: how many uses were asked for.
    public var usesRequested: Int
    /// Whether the token was trusted from the cache or from a signed code's claims.
    public var via: Token.Origin?
    /// Internal detail for logs and the upload (never the code itself).
    public var detail: String?

    public init(reason: VerdictReason, tokenID: TokenID? = nil, campaign: Campaign? = nil, usesLeft: Int? = nil,
                usesRedeemed: Int = 0, redemption: RedemptionReceipt? = nil, priorUse: PriorUse? = nil,
                validFrom: Date? = nil, validUntil: Date? = nil, usesRequested: Int = 1,
                via: Token.Origin? = nil, detail: String? = nil) {
        self.reason = reason
        self.tokenID = tokenID
        self.campaign = campaign
        self.usesLeft = usesLeft
        self.usesRedeemed = usesRedeemed
        self.redemption = redemption
        self.priorUse = priorUse
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.usesRequested = usesRequested
        self.via = via
        self.detail = detail
    }

    /// Whether the code was accepted.
    public var isAccepted: Bool { reason.isAccepted }
}

/// What a committed redemption adds to an accepted verdict.
public struct RedemptionReceipt: Hashable, Sendable {
    public var id: UUID
    public var deviceSequence: Int64
    public var redeemedAt: Date
    public var deviceID: String
    public var shopID: String
    public var codeLastFour: String

    public init(id: UUID, deviceSequence: Int64, redeemedAt: Date, deviceID: String, shopID: String,
                codeLastFour: String) {
        self.id = id
        self.deviceSequence = deviceSequence
        self.redeemedAt = redeemedAt
        self.deviceID = deviceID
        self.shopID = shopID
        self.codeLastFour = codeLastFour
    }
}
