import CounterCore
import Foundation

/// One page of the central engine's feed, already validated and converted to domain values
/// (its key set's signature already checked against the pinned root key). The ledger applies
/// it in one transaction with ``Ledger/apply(_:at:)-(FeedPageUpdate,_)``.
public struct FeedPageUpdate: Sendable {
    /// The shop as the feed describes it.
    public struct Shop: Sendable, Equatable {
        public var id: String
        public var name: String
        public var timeZone: String
        /// How long a manager may void a redemption (issue 17); `nil` when the hub did not say (24 hours).
        public var managerVoidWindow: TimeInterval?

        public init(id: String, name: String, timeZone: String, managerVoidWindow: TimeInterval? = nil) {
            self.id = id
            self.name = name
            self.timeZone = timeZone
            self.managerVoidWindow = managerVoidWindow
        }
    }

    /// A token upsert with the server's use count and last use.
    public struct FeedToken: Sendable, Equatable {
        /// The token; its `usesRemaining` is ignored and recomputed from `usesUsed` and the watermark.
        public var token: Token
        /// Uses the server counted, across all devices, up to the page's watermark for this device.
        public var usesUsed: Int
        public var lastUse: PriorUse?

        public init(token: Token, usesUsed: Int, lastUse: PriorUse?) {
            self.token = token
            self.usesUsed = usesUsed
            self.lastUse = lastUse
        }
    }

    public var position: Int64
    public var nextCursor: String
    public var reset: Bool
    public var upToDate: Bool
    public var serverTime: Date
    public var maxDataAge: TimeInterval
    /// The server's counts include this device's events up to this device sequence number.
    public var watermark: Int64
    public var shop: Shop
    public var campaigns: [Campaign]
    public var tokens: [FeedToken]
    public var tombstones: [TokenID]
    public var revocations: [Revocation]
    public var keySet: KeySet?
    /// The staff members the page sends whole; `nil` when the hub sent no `staff` (one without staff).
    public var staff: [StaffMember]?

    public init(position: Int64, nextCursor: String, reset: Bool, upToDate: Bool, serverTime: Date,
                maxDataAge: TimeInterval, watermark: Int64, shop: Shop, campaigns: [Campaign] = [],
                tokens: [FeedToken] = [], tombstones: [TokenID] = [], revocations: [Revocation] = [],
                keySet: KeySet? = nil, staff: [StaffMember]? = nil) {
        self.position = position
        self.nextCursor = nextCursor
        self.reset = reset
        self.upToDate = upToDate
        self.serverTime = serverTime
        self.maxDataAge = maxDataAge
        self.watermark = watermark
        self.shop = shop
        self.campaigns = campaigns
        self.tokens = tokens
        self.tombstones = tombstones
        self.revocations = revocations
        self.keySet = keySet
        self.staff = staff
    }
}

/// Why the ledger refused a feed page. Nothing of the page was applied.
public struct FeedPageRejected: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
