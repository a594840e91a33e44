import CounterCore
import Crypto
import Foundation

/// A campaign as an admin creates it.
public struct CampaignSpec: Sendable {
    public var id: String
    public var title: String
    public var product: String
    public var faceValueFen: Int
    public var shopRewardFen: Int?
    /// Uses per issued token.
    public var uses: Int
    /// Shops where its tokens may be redeemed; empty = any shop.
    public var shopIDs: [String]
    /// Issued tokens are valid this many days from issue; `nil` = no end.
    public var validDays: Int?
    public var activeFrom: Date?
    public var activeUntil: Date?
    public var offlinePolicy: Campaign.OfflinePolicy
    /// Which of its tokens go into counters' feeds (docs/protocol.md, "What a counter holds").
    public var tokenFeed: TokenFeed
    /// A practice campaign (练习): its codes redeem only on counters in training mode, and never count.
    public var training: Bool

    public init(id: String, title: String, product: String, faceValueFen: Int, shopRewardFen: Int?, uses: Int,
                shopIDs: [String], validDays: Int?, activeFrom: Date?, activeUntil: Date?,
                offlinePolicy: Campaign.OfflinePolicy, tokenFeed: TokenFeed = .all, training: Bool = false) {
        self.training = training
        self.id = id
        self.title = title
        self.product = product
        self.faceValueFen = faceValueFen
        self.shopRewardFen = shopRewardFen
        self.uses = uses
        self.shopIDs = shopIDs
        self.validDays = validDays
        self.activeFrom = activeFrom
        self.activeUntil = activeUntil
        self.offlinePolicy = offlinePolicy
        self.tokenFeed = tokenFeed
    }
}

/// Which tokens of a campaign the hub sends to counters.
public enum TokenFeed: String, Sendable, CaseIterable {
    /// Every token, from issue on: typeable codes work offline at every counter the campaign reaches.
    case all
    /// Only the tokens a signature cannot speak for: revoked, used (their use counts) or deleted ones. A counter
    /// holds the campaign and its exceptions, not a copy of every code; only signed codes redeem offline.
    /// Needs `allow_signed`.
    case exceptions
}

/// One issued token: the typeable code, the signed code and the id.
public struct IssuedToken: Codable, Sendable, Equatable {
    public var tokenId: String
    public var code: String
    public var signedCode: String
}

extension HubStore {
    /// The default for how long a counter may go without a complete sync before it warns.
    public static let defaultMaxDataAge = 3 * 86_400

    public func createShop(id: String, name: String, timeZone: String = "Asia/Shanghai",
                           maxDataAgeSeconds: Int = HubStore.defaultMaxDataAge) throws {
        try Self.checkIdentifier(id, what: "shop id")
        guard TimeZone(identifier: timeZone) != nil else { throw HubError("invalid_time_zone", "unknown time zone \(timeZone)") }
        try database.write { sql in
            guard try sql.value(Int.self, "SELECT COUNT(*) FROM shop WHERE id = ?", [id]) == 0 else {
                throw HubError("exists", "shop \(id) already exists")
            }
            try Self.insertShop(sql, id: id, name: name, timeZone: timeZone, maxDataAgeSeconds: maxDataAgeSeconds)
        }
    }

    public func createCampaign(_ spec: CampaignSpec) throws {
        try Self.checkIdentifier(spec.id, what: "campaign id")
        guard (1...65_535).contains(spec.uses) else { throw HubError("invalid_uses", "uses must be 1 to 65535") }
        guard spec.faceValueFen >= 0, (spec.shopRewardFen ?? 0) >= 0 else {
            throw HubError("invalid_amount", "amounts must not be negative")
        }
        for shop in spec.shopIDs { try Self.checkIdentifier(shop, what: "shop id") }
        guard spec.tokenFeed == .all || spec.offlinePolicy == .allowSigned else {
            throw HubError("invalid_token_feed", "token feed exceptions needs offline policy allow_signed: counters hold no copy of its codes")
        }
        try database.write { sql in
            guard try sql.value(Int.self, "SELECT COUNT(*) FROM campaign WHERE id = ?", [spec.id]) == 0 else {
                throw HubError("exists", "campaign \(spec.id) already exists")
            }
            try sql.execute("""
                INSERT INTO campaign (id, title, product, face_value_fen, shop_reward_fen, uses, shop_ids, valid_days,
                                      active_from, active_until, offline_policy, token_feed, status, position, training)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)
                """, [spec.id, spec.title, spec.product, spec.faceValueFen, spec.shopRewardFen, spec.uses,
                      Self.encodeShops(spec.shopIDs), spec.validDays, spec.activeFrom, spec.activeUntil,
                      spec.offlinePolicy.rawValue, spec.tokenFeed.rawValue, try Self.nextPosition(sql, for: FeedChangeScope(shopIDs: spec.shopIDs)),
                      spec.training])
        }
    }

    /// Issues `count` tokens of a campaign, each with a typeable code and a signed code.
    public func issueTokens(campaign: String, count: Int, now: Date = Date()) throws -> [IssuedToken] {
        guard count >= 1 else { throw HubError("invalid_count", "count must be at least 1") }
        return try database.write { sql in
            guard let row = try sql.row("SELECT * FROM campaign WHERE id = ?", [campaign]) else {
                throw HubError("not_found", "no campaign \(campaign)")
            }
            let signing = try Self.currentSigningKey(sql, now: now)
            let shops = Self.decodeShops(try row["shop_ids"])
            let uses: Int = try row["uses"]
            let validDays: Int? = try row["valid_days"]
            let validUntil = validDays.map { now.addingTimeInterval(TimeInterval($0) * 86_400).rounded() }
            let inFeed = try Self.tokensStartInFeed(row)
            var issued: [IssuedToken] = []
            issued.reserveCapacity(count)
            let insert = """
                INSERT INTO token (id, code_hash, campaign_id, shop_ids, shop_key, uses_total, valid_from, valid_until, status,
                                   key_id, in_feed, position)
                VALUES (?, ?, ?, ?, ?, ?, NULL, ?, 'active', ?, ?, ?)
                """
            for _ in 0..<count {
                let tokenID = TokenID.random()
                let code = TypeableCode.make()
                let claims = SignedCode.Claims(keyID: signing.id, tokenID: tokenID, campaignID: campaign,
                                               shopScope: ShopScope(shopIDs: shops), uses: uses, validFrom: nil,
                                               validUntil: validUntil)
                let signed = try SignedCode.issue(claims, signingKey: signing.key)
                try sql.execute(insert, [tokenID.hex, try CanonicalCode(code).hash.hex, campaign, Self.encodeShops(shops), Self.shopKey(shops), uses,
                                         validUntil, Int64(signing.id), inFeed,
                                         try Self.nextPosition(sql, for: Self.newTokenScope(shops: shops, inFeed: inFeed))])
                issued.append(IssuedToken(tokenId: tokenID.hex, code: code, signedCode: signed))
            }
            return issued
        }
    }

    /// Revokes a token (refund, fraud). Counters refuse it after their next sync.
    public func revokeToken(_ tokenID: String, reason: String, now: Date = Date()) throws {
        try revokeTokens([tokenID], reason: reason, now: now)
    }

    /// Revokes tokens in one transaction (a refund wave): all of them, or none when one is unknown.
    public func revokeTokens(_ tokenIDs: [String], reason: String, now: Date = Date()) throws {
        try database.write { sql in
            // The tokens' rows first, by id, then the position row: the order every writer locks them in.
            let locked = try Set(tokenIDs).sorted().map { tokenID in
                guard let list = try sql.value(String.self, "SELECT shop_ids FROM token WHERE id = ?" + sql.dialect.forUpdate, [tokenID]) else {
                    throw HubError("not_found", "no token \(tokenID)")
                }
                return (tokenID, list)
            }
            for (tokenID, list) in locked {
                try sql.execute("""
                    UPDATE token SET status = 'revoked', revoked_reason = ?, revoked_at = ?, in_feed = TRUE, position = ? WHERE id = ?
                    """, [reason, now, try Self.nextPosition(sql, for: FeedChangeScope(shopIDs: Self.decodeShops(list))), tokenID])
            }
        }
    }

    /// Makes a one-time enrollment code for a shop, valid for 24 hours.
    public func makeEnrollmentCode(shop: String, now: Date = Date()) throws -> String {
        try database.write { sql in
            guard try sql.value(Int.self, "SELECT COUNT(*) FROM shop WHERE id = ?", [shop]) == 1 else {
                throw HubError("not_found", "no shop \(shop); create it with `counter-hub shop create`")
            }
            return try Self.insertEnrollmentCode(sql, shop: shop, now: now)
        }
    }

    static func insertShop(_ sql: any HubSQL, id: String, name: String, timeZone: String, maxDataAgeSeconds: Int) throws {
        try sql.execute("INSERT INTO shop (id, name, time_zone, max_data_age_seconds) VALUES (?, ?, ?, ?)",
                        [id, name, timeZone, maxDataAgeSeconds])
    }

    /// A new one-time enrollment code for a shop, valid for 24 hours; only its hash is stored.
    static func insertEnrollmentCode(_ sql: any HubSQL, shop: String, now: Date) throws -> String {
        let code = TypeableCode.make()
        try sql.execute("INSERT INTO enrollment_code (code_hash, shop_id, expires_at) VALUES (?, ?, ?)",
                        [try CanonicalCode(code).hash.hex, shop, now + 86_400])
        return code
    }

    /// Whether a new token of this campaign row goes into counters' feeds at once (``TokenFeed``).
    static func tokensStartInFeed(_ campaign: HubRow) throws -> Bool {
        TokenFeed(rawValue: try campaign["token_feed"]) != .exceptions
    }

    /// Whose feeds a new token changes: its shops', or nobody's while it is not in the feed.
    static func newTokenScope(shops: [String], inFeed: Bool) -> FeedChangeScope {
        inFeed ? FeedChangeScope(shopIDs: shops) : .nobody
    }

    static func checkIdentifier(_ value: String, what: String) throws {
        guard WireLimits.isIdentifier(value) else {
            throw HubError("invalid_id", "\(what) must be 1 to 64 printable ASCII characters without spaces")
        }
    }

    /// The token column a shop's feed finds its tokens by, through the index `token_shop_feed`: `*` for any shop,
    /// the shop for one shop, `NULL` for several (those are found by their list).
    static func shopKey(_ shops: [String]) -> String? {
        shops.isEmpty ? "*" : shops.count == 1 ? shops[0] : nil
    }

    static func encodeShops(_ shops: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(shops)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decodeShops(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}

extension Date {
    /// Whole seconds (signed codes carry whole seconds).
    func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.down)) }
}

extension HubStore {
    /// Adds unsigned tokens for the given typeable codes in one transaction, with ids derived from the
    /// code hash: a fast path for benchmarks and load tests (no signed codes are made). `shops` narrows
    /// the shops of the token at an index (default: the campaign's).
    public func seedTokens(campaign: String, codes: [String], uses: Int = 1,
                           shops: (@Sendable (Int) -> [String])? = nil) throws {
        try database.write { sql in
            guard let row = try sql.row("SELECT * FROM campaign WHERE id = ?", [campaign]) else {
                throw HubError("not_found", "no campaign \(campaign)")
            }
            let campaignShops = Self.decodeShops(try row["shop_ids"])
            let inFeed = try Self.tokensStartInFeed(row)
            for (index, code) in codes.enumerated() {
                let hash = try CanonicalCode(code).hash
                let tokenShops = shops?(index) ?? campaignShops
                try sql.execute("""
                    INSERT INTO token (id, code_hash, campaign_id, shop_ids, shop_key, uses_total, status, in_feed, position)
                    VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?)
                    """, [Hex.encode(hash.bytes.prefix(16)), hash.hex, campaign, Self.encodeShops(tokenShops), Self.shopKey(tokenShops),
                          uses, inFeed,
                          try Self.nextPosition(sql, for: Self.newTokenScope(shops: tokenShops, inFeed: inFeed))])
            }
        }
    }

    /// Creates shops and one enrollment code for each in one transaction, and returns the codes in the shops'
    /// order: the fast path of load tests (`counter-bench fleet`).
    public func seedShops(_ ids: [String], now: Date = Date()) throws -> [String] {
        for id in ids { try Self.checkIdentifier(id, what: "shop id") }
        return try database.write { sql in
            try ids.map { id in
                try Self.insertShop(sql, id: id, name: id, timeZone: "Asia/Shanghai", maxDataAgeSeconds: Self.defaultMaxDataAge)
                return try Self.insertEnrollmentCode(sql, shop: id, now: now)
            }
        }
    }
}
