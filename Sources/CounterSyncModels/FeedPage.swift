import CounterCore
import Foundation

/// `GET /v1/feed` page, as it travels (docs/protocol.md, "The page"). Its keys and those of the types inside it are
/// spelled as they travel (``WireLiteralKeys``): decode it with `WireJSON.decoder(for: FeedPage.self)`.
public struct FeedPage: Codable, Sendable, Equatable, WireLiteralKeys {
    public var serverTime: Date
    public var cursor: String?
    public var nextCursor: String
    public var position: Int64
    public var upToDate: Bool
    public var reset: Bool
    public var maxDataAgeSeconds: Int
    public var watermark: Watermark
    public var shop: Shop
    public var campaigns: [Campaign]
    public var tokens: [Token]
    public var tombstones: [String]
    public var revocations: [Revocation]
    public var keySet: SignedKeySet?
    /// The longest `wait` the hub honours on `GET /v1/feed` (the live feed); absent from a hub without one.
    public var liveFeedMaxWaitSeconds: Int?
    /// The shop's staff members changed since the cursor (all of them on a reset); absent from a hub without staff.
    public var staff: [StaffMember]?

    public init(serverTime: Date, cursor: String?, nextCursor: String, position: Int64, upToDate: Bool, reset: Bool,
                maxDataAgeSeconds: Int, watermark: Watermark, shop: Shop, campaigns: [Campaign], tokens: [Token],
                tombstones: [String], revocations: [Revocation], keySet: SignedKeySet?, liveFeedMaxWaitSeconds: Int? = nil, staff: [StaffMember]? = nil) {
        self.serverTime = serverTime
        self.cursor = cursor
        self.nextCursor = nextCursor
        self.position = position
        self.upToDate = upToDate
        self.reset = reset
        self.maxDataAgeSeconds = maxDataAgeSeconds
        self.watermark = watermark
        self.shop = shop
        self.campaigns = campaigns
        self.tokens = tokens
        self.tombstones = tombstones
        self.revocations = revocations
        self.keySet = keySet
        self.liveFeedMaxWaitSeconds = liveFeedMaxWaitSeconds
        self.staff = staff
    }

    private enum CodingKeys: String, CodingKey {
        case serverTime = "server_time", cursor, nextCursor = "next_cursor", position, upToDate = "up_to_date", reset
        case maxDataAgeSeconds = "max_data_age_seconds", watermark, shop, campaigns, tokens, tombstones, revocations
        case keySet = "key_set", liveFeedMaxWaitSeconds = "live_feed_max_wait_seconds", staff
    }

    /// Encodes every field; `cursor` is written as `null` when absent, as the contract requires it.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(serverTime, forKey: .serverTime)
        if let cursor { try container.encode(cursor, forKey: .cursor) } else { try container.encodeNil(forKey: .cursor) }
        try container.encode(nextCursor, forKey: .nextCursor)
        try container.encode(position, forKey: .position)
        try container.encode(upToDate, forKey: .upToDate)
        try container.encode(reset, forKey: .reset)
        try container.encode(maxDataAgeSeconds, forKey: .maxDataAgeSeconds)
        try container.encode(watermark, forKey: .watermark)
        try container.encode(shop, forKey: .shop)
        try container.encode(campaigns, forKey: .campaigns)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(tombstones, forKey: .tombstones)
        try container.encode(revocations, forKey: .revocations)
        try container.encodeIfPresent(keySet, forKey: .keySet)
        try container.encodeIfPresent(liveFeedMaxWaitSeconds, forKey: .liveFeedMaxWaitSeconds)
        try container.encodeIfPresent(staff, forKey: .staff)
    }

    public struct Watermark: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey { case deviceSequence = "device_sequence" }
        public var deviceSequence: Int64
        public init(deviceSequence: Int64) { self.deviceSequence = deviceSequence }
    }

    public struct Shop: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey { case id, name, timeZone = "time_zone", settings }
        public var id: String
        public var name: String
        public var timeZone: String
        /// The object is required; unknown keys are ignored.
        public var settings: Settings
        public init(id: String, name: String, timeZone: String, settings: Settings = Settings()) {
            self.id = id
            self.name = name
            self.timeZone = timeZone
            self.settings = settings
        }
    }

    /// Shop settings; each is optional and additive (an older hub sends `{}`).
    public struct Settings: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey { case managerVoidWindowSeconds = "manager_void_window_seconds" }
        /// How long after a redemption a 店长 (manager) may void it (issue 17); absent: 24 hours.
        public var managerVoidWindowSeconds: Int?

        public init(managerVoidWindowSeconds: Int? = nil) {
            self.managerVoidWindowSeconds = managerVoidWindowSeconds
        }
    }

    public struct Campaign: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey {
            case id, title, product, faceValueFen = "face_value_fen", shopRewardFen = "shop_reward_fen", activeFrom = "active_from"
            case activeUntil = "active_until", offlinePolicy = "offline_policy", status, training
        }
        public var id: String
        public var title: String
        public var product: String
        public var faceValueFen: Int
        public var shopRewardFen: Int?
        public var activeFrom: Date?
        public var activeUntil: Date?
        public var offlinePolicy: String
        public var status: String
        /// A practice campaign (练习, issue 17; additive): absent means `false`.
        public var training: Bool?

        public init(id: String, title: String, product: String, faceValueFen: Int, shopRewardFen: Int?,
                    activeFrom: Date?, activeUntil: Date?, offlinePolicy: String, status: String, training: Bool? = nil) {
            self.id = id
            self.title = title
            self.product = product
            self.faceValueFen = faceValueFen
            self.shopRewardFen = shopRewardFen
            self.activeFrom = activeFrom
            self.activeUntil = activeUntil
            self.offlinePolicy = offlinePolicy
            self.status = status
            self.training = training
        }
    }

    public struct Token: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey {
            case tokenId = "token_id", codeHash = "code_hash", campaignId = "campaign_id", shopIds = "shop_ids"
            case usesTotal = "uses_total", usesUsed = "uses_used", validFrom = "valid_from", validUntil = "valid_until", status
            case lastUse = "last_use"
        }
        public var tokenId: String
        public var codeHash: String?
        public var campaignId: String
        public var shopIds: [String]
        public var usesTotal: Int
        public var usesUsed: Int
        public var validFrom: Date?
        public var validUntil: Date?
        public var status: String
        public var lastUse: LastUse?

        public init(tokenId: String, codeHash: String?, campaignId: String, shopIds: [String], usesTotal: Int,
                    usesUsed: Int, validFrom: Date?, validUntil: Date?, status: String, lastUse: LastUse?) {
            self.tokenId = tokenId
            self.codeHash = codeHash
            self.campaignId = campaignId
            self.shopIds = shopIds
            self.usesTotal = usesTotal
            self.usesUsed = usesUsed
            self.validFrom = validFrom
            self.validUntil = validUntil
            self.status = status
            self.lastUse = lastUse
        }
    }

    public struct LastUse: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey { case at, shopId = "shop_id", deviceId = "device_id" }
        public var at: Date
        public var shopId: String?
        public var deviceId: String?
        public init(at: Date, shopId: String?, deviceId: String?) {
            self.at = at
            self.shopId = shopId
            self.deviceId = deviceId
        }
    }

    public struct Revocation: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey { case tokenId = "token_id", reason, revokedAt = "revoked_at" }
        public var tokenId: String
        public var reason: String
        public var revokedAt: Date
        public init(tokenId: String, reason: String, revokedAt: Date) {
            self.tokenId = tokenId
            self.reason = reason
            self.revokedAt = revokedAt
        }
    }

    /// A staff member of the shop, sent whole at each change (docs/protocol.md, "Staff"). The PIN never travels:
    /// only its salted verifier, `null` while no PIN is set.
    public struct StaffMember: Codable, Sendable, Equatable {
        private enum CodingKeys: String, CodingKey {
            case staffId = "staff_id", name, role, enabled, pinVerifier = "pin_verifier", badgeId = "badge_id"
        }
        public var staffId: String
        public var name: String
        /// `cashier` or `manager`.
        public var role: String
        public var enabled: Bool
        public var pinVerifier: PINVerifier?
        /// The current staff badge's id, 32 lower-case hex; absent or `null` while none was issued (additive).
        public var badgeId: String?

        public init(staffId: String, name: String, role: String, enabled: Bool, pinVerifier: PINVerifier?, badgeId: String? = nil) {
            self.badgeId = badgeId
            self.staffId = staffId
            self.name = name
            self.role = role
            self.enabled = enabled
            self.pinVerifier = pinVerifier
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(staffId, forKey: .staffId)
            try container.encode(name, forKey: .name)
            try container.encode(role, forKey: .role)
            try container.encode(enabled, forKey: .enabled)
            if let pinVerifier { try container.encode(pinVerifier, forKey: .pinVerifier) } else { try container.encodeNil(forKey: .pinVerifier) }
            try container.encodeIfPresent(badgeId, forKey: .badgeId)
        }
    }

    /// `{payload, signature}`, both base64.
    public struct SignedKeySet: Codable, Sendable, Equatable {
        public var payload: String
        public var signature: String
        public init(payload: String, signature: String) {
            self.payload = payload
            self.signature = signature
        }
    }
}
