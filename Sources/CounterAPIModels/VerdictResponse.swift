import CounterCore
import Foundation

/// A verdict as the local API returns it (`POST /api/v1/redeem` and `/api/v1/check`).
public struct VerdictResponse: Codable, Sendable, Equatable {
    /// `accepted` or `rejected`.
    public var verdict: String
    /// The stable reason code (`ok`, `unknown_code`, …).
    public var reason: String
    public var message: LocalizedMessage
    public var redemptionId: String?
    public var deviceSequence: Int64?
    public var redeemedAt: Date?
    public var tokenId: String?
    public var campaignId: String?
    public var campaignTitle: String?
    public var product: String?
    public var usesLeft: Int?
    public var usesRedeemed: Int?
    public var codeLast4: String?
    public var priorUse: PriorUseResponse?
    public var validFrom: Date?
    public var validUntil: Date?
    /// `cache` or `signed_code`: what the verdict trusted.
    public var via: String?

    /// Whether the code was accepted.
    public var isAccepted: Bool { verdict == "accepted" }

    public init(_ verdict: Verdict, timeZone: TimeZone) {
        self.verdict = verdict.isAccepted ? "accepted" : "rejected"
        reason = verdict.reason.rawValue
        message = verdict.message(in: timeZone)
        redemptionId = verdict.redemption?.id.lowercasedString
        deviceSequence = verdict.redemption?.deviceSequence
        redeemedAt = verdict.redemption?.redeemedAt
        tokenId = verdict.tokenID?.hex
        campaignId = verdict.campaign?.id
        campaignTitle = verdict.campaign?.title
        product = verdict.campaign?.product
        usesLeft = verdict.usesLeft
        usesRedeemed = verdict.redemption == nil ? nil : verdict.usesRedeemed
        codeLast4 = verdict.redemption?.codeLastFour
        priorUse = verdict.priorUse.map { PriorUseResponse(at: $0.at, shopId: $0.shopID, deviceId: $0.deviceID) }
        validFrom = verdict.validFrom
        validUntil = verdict.validUntil
        via = verdict.via?.rawValue
    }
}

/// When and where a code was last used (`already_redeemed` verdicts).
public struct PriorUseResponse: Codable, Sendable, Equatable {
    public var at: Date
    public var shopId: String?
    public var deviceId: String?

    public init(at: Date, shopId: String?, deviceId: String?) {
        self.at = at
        self.shopId = shopId
        self.deviceId = deviceId
    }
}

/// The body of `POST /api/v1/redeem` and `POST /api/v1/check`.
public struct RedeemRequest: Codable, Sendable {
    public var code: String
    /// Uses to take at once (multi-use cards); 1 when absent.
    public var uses: Int?
    /// Who is asking, for the record (`counterctl`, `pos`, …); `api` when absent.
    public var source: String?

    public init(code: String, uses: Int? = nil, source: String? = nil) {
        self.code = code
        self.uses = uses
        self.source = source
    }
}
