import Foundation

/// `POST /v1/events` request: a batch of this device's events.
public struct EventsRequest: Codable, Sendable, Equatable {
    public var deviceId: String
    public var events: [Event]
    /// The counter's clock when it sent the batch; the hub keeps the difference to its own as the device's
    /// clock offset (`counter-hub device list`). Optional, additive.
    public var sentAt: Date?
    /// Events queued at the counter when it sent the batch, this batch included. Optional, additive.
    public var backlog: Int64?

    public init(deviceId: String, events: [Event], sentAt: Date? = nil, backlog: Int64? = nil) {
        self.deviceId = deviceId
        self.events = events
        self.sentAt = sentAt
        self.backlog = backlog
    }

    /// One event. `type` decides which of the optional fields are required (docs/protocol.md).
    public struct Event: Codable, Sendable, Equatable {
        public var type: String
        public var id: String
        public var occurredAt: Date
        public var clockSuspect: Bool
        public var deviceSequence: Int64?
        public var tokenId: String?
        public var campaignId: String?
        public var shopId: String?
        public var uses: Int?
        public var via: String?
        public var codeLast4: String?
        public var source: String?
        public var redemptionId: String?
        public var reason: String?
        public var codeHash: String?
        public var detail: String?
        /// The staff member signed in when the event happened; absent for nobody (issue 17, additive).
        public var staffId: String?
        /// The manager who approved a void (授权); voids only, absent when nobody had to (issue 17, additive).
        public var approvedBy: String?
        /// A shift or day close's counts and device-sequence range; `shift_close` only (issue 17, additive).
        public var shift: ShiftClose?

        public init(type: String, id: String, occurredAt: Date, clockSuspect: Bool, deviceSequence: Int64? = nil,
                    tokenId: String? = nil, campaignId: String? = nil, shopId: String? = nil, uses: Int? = nil,
                    via: String? = nil, codeLast4: String? = nil, source: String? = nil, redemptionId: String? = nil,
                    reason: String? = nil, codeHash: String? = nil, detail: String? = nil, staffId: String? = nil,
                    approvedBy: String? = nil, shift: ShiftClose? = nil) {
            self.type = type
            self.id = id
            self.occurredAt = occurredAt
            self.clockSuspect = clockSuspect
            self.deviceSequence = deviceSequence
            self.tokenId = tokenId
            self.campaignId = campaignId
            self.shopId = shopId
            self.uses = uses
            self.via = via
            self.codeLast4 = codeLast4
            self.source = source
            self.redemptionId = redemptionId
            self.reason = reason
            self.codeHash = codeHash
            self.detail = detail
            self.staffId = staffId
            self.approvedBy = approvedBy
            self.shift = shift
        }
    }

    /// What a `shift_close` event says of its shift (docs/protocol.md, "Shift closes and reconciliation"). The hub
    /// checks that it holds every event of this device from `fromSequence` to `toSequence` (none when `toSequence` is
    /// below `fromSequence`).
    public struct ShiftClose: Codable, Sendable, Equatable {
        /// `shift` (closed by a person) or `day` (the automatic day close).
        public var kind: String
        public var openedAt: Date
        public var openedBy: String?
        public var closedBy: String?
        public var fromSequence: Int64
        public var toSequence: Int64
        public var redemptions: Int
        public var uses: Int
        public var voids: Int
        public var faceValueFen: Int
        /// The shop's reward the shift earned (redemptions' minus voids').
        public var rewardFen: Int

        public init(kind: String, openedAt: Date, openedBy: String?, closedBy: String?, fromSequence: Int64, toSequence: Int64,
                    redemptions: Int, uses: Int, voids: Int, faceValueFen: Int, rewardFen: Int) {
            self.kind = kind
            self.openedAt = openedAt
            self.openedBy = openedBy
            self.closedBy = closedBy
            self.fromSequence = fromSequence
            self.toSequence = toSequence
            self.redemptions = redemptions
            self.uses = uses
            self.voids = voids
            self.faceValueFen = faceValueFen
            self.rewardFen = rewardFen
        }
    }
}

/// `POST /v1/events` answer: one result per event, in request order.
public struct EventsResponse: Codable, Sendable, Equatable {
    public var serverTime: Date
    public var results: [Result]
    /// The highest N such that all of this device's sequence numbers 1...N were received.
    public var acknowledgedSequence: Int64

    public init(serverTime: Date, results: [Result], acknowledgedSequence: Int64) {
        self.serverTime = serverTime
        self.results = results
        self.acknowledgedSequence = acknowledgedSequence
    }

    public struct Result: Codable, Sendable, Equatable {
        public var id: String
        /// `accepted`, `duplicate`, `conflict` or `rejected`.
        public var status: String
        public var reason: String?
        /// For a `shift_close`: whether the hub holds every event of its range (对账), each time it is sent.
        public var reconciliation: Reconciliation?

        public init(id: String, status: String, reason: String? = nil, reconciliation: Reconciliation? = nil) {
            self.id = id
            self.status = status
            self.reason = reason
            self.reconciliation = reconciliation
        }
    }

    /// The hub's 对账 of a shift close: `matched`, or `mismatched` with the device sequences it lacks (at most
    /// ``maximumMissing`` of them; the counter sends those and the close again, and the hub answers again).
    public struct Reconciliation: Codable, Sendable, Equatable {
        public static let maximumMissing = 1000
        public var status: String
        public var missingSequences: [Int64]

        public init(status: String, missingSequences: [Int64] = []) {
            self.status = status
            self.missingSequences = missingSequences
        }

        private enum CodingKeys: String, CodingKey { case status, missingSequences }

        /// `missing_sequences` may be left out (none).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            status = try container.decode(String.self, forKey: .status)
            missingSequences = try container.decodeIfPresent([Int64].self, forKey: .missingSequences) ?? []
        }
    }
}
