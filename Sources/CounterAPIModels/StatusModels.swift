import CounterCore
import Foundation

/// `GET /api/v1/status`: who the counter is and what its ledger holds.
public struct StatusResponse: Codable, Sendable, Equatable {
    public var version: String
    public var deviceId: String
    public var shopId: String
    public var timeZone: String
    public var startedAt: Date
    public var voidWindowSeconds: Int
    public var ledger: LedgerCounts
    public var sources: [SourceInfo]
    /// Sync with the central engine; `nil` when the counter is not enrolled.
    public var sync: SyncStatus?
    /// The receipt printer and its queue; `nil` when printing is off.
    public var printing: PrintingStatus?
    /// Plain-words problems a person should act on (clock off, data stale, dead letters, sync failing).
    public var warnings: [String] = []
    /// The latest trustworthy time the counter has seen (the hub's, or its own latest event's); a clock more than
    /// 2 hours below it was set back: codes are then judged at this time and events are flagged `clock_suspect`.
    public var clockHighWaterAt: Date?
    /// The last shift or day close and the hub's 对账 of it; `nil` before the first close.
    public var reconciliation: ReconciliationInfo?
    /// Whether the counter is in training mode (练习模式): only practice codes redeem, and nothing counts.
    public var training: Bool?

    /// The last close's 对账.
    public struct ReconciliationInfo: Codable, Sendable, Equatable {
        public var shiftId: String
        /// `shift` or `day`.
        public var kind: String
        public var closedAt: Date?
        /// `pending` (not answered yet), `matched` (对账一致) or `mismatched` (对账不一致).
        public var status: String
        /// How many of the close's events the hub lacked at its last answer.
        public var missingEvents: Int
        public var checkedAt: Date?

        public init(_ report: ShiftReport) {
            shiftId = report.shiftId
            kind = report.kind.rawValue
            closedAt = report.closedAt
            status = report.reconciliation?.status ?? "pending"
            missingEvents = report.reconciliation?.missingSequences.count ?? 0
            checkedAt = report.reconciliation?.checkedAt
        }
    }

    public init(version: String, deviceId: String, shopId: String, timeZone: String, startedAt: Date,
                voidWindowSeconds: Int, ledger: LedgerCounts, sources: [SourceInfo]) {
        self.version = version
        self.deviceId = deviceId
        self.shopId = shopId
        self.timeZone = timeZone
        self.startedAt = startedAt
        self.voidWindowSeconds = voidWindowSeconds
        self.ledger = ledger
        self.sources = sources
    }

    /// Counts from the ledger.
    public struct LedgerCounts: Codable, Sendable, Equatable {
        public var lastSequence: Int64
        public var redemptions: Int
        public var voids: Int
        public var rejections: Int
        public var outboxPending: Int
        public var outboxDead: Int
        public var tokens: Int
        public var campaigns: Int
        public var signingKeys: Int

        public init(lastSequence: Int64, redemptions: Int, voids: Int, rejections: Int, outboxPending: Int,
                    outboxDead: Int, tokens: Int, campaigns: Int, signingKeys: Int) {
            self.lastSequence = lastSequence
            self.redemptions = redemptions
            self.voids = voids
            self.rejections = rejections
            self.outboxPending = outboxPending
            self.outboxDead = outboxDead
            self.tokens = tokens
            self.campaigns = campaigns
            self.signingKeys = signingKeys
        }
    }

    /// Where sync with the central engine stands.
    public struct SyncStatus: Codable, Sendable, Equatable {
        public var hubUrl: String
        public var position: Int64
        public var resyncInProgress: Bool
        public var lastCompleteSyncAt: Date?
        public var dataAgeSeconds: Int?
        public var maxDataAgeSeconds: Int?
        /// Server clock minus this counter's clock, at the last answer.
        public var clockOffsetSeconds: Double?
        public var lastError: String?
        public var outboxDelivered: Int
        public var outboxConflicts: Int
        public var oldestPendingAt: Date?
        public var deadLetters: [DeadLetterInfo]

        public init(hubUrl: String, position: Int64, resyncInProgress: Bool, lastCompleteSyncAt: Date?, dataAgeSeconds: Int?,
                    maxDataAgeSeconds: Int?, clockOffsetSeconds: Double?, lastError: String?, outboxDelivered: Int,
                    outboxConflicts: Int, oldestPendingAt: Date?, deadLetters: [DeadLetterInfo]) {
            self.hubUrl = hubUrl
            self.position = position
            self.resyncInProgress = resyncInProgress
            self.lastCompleteSyncAt = lastCompleteSyncAt
            self.dataAgeSeconds = dataAgeSeconds
            self.maxDataAgeSeconds = maxDataAgeSeconds
            self.clockOffsetSeconds = clockOffsetSeconds
            self.lastError = lastError
            self.outboxDelivered = outboxDelivered
            self.outboxConflicts = outboxConflicts
            self.oldestPendingAt = oldestPendingAt
            self.deadLetters = deadLetters
        }
    }

    /// An event the hub refused for good.
    public struct DeadLetterInfo: Codable, Sendable, Equatable {
        public var eventId: String
        public var kind: String
        public var reason: String?
        public var failedAt: Date?

        public init(eventId: String, kind: String, reason: String?, failedAt: Date?) {
            self.eventId = eventId
            self.kind = kind
            self.reason = reason
            self.failedAt = failedAt
        }
    }

    /// A configured scan source.
    public struct SourceInfo: Codable, Sendable, Equatable {
        public var name: String
        public var kind: String
        public var path: String?

        public init(name: String, kind: String, path: String?) {
            self.name = name
            self.kind = kind
            self.path = path
        }
    }
}

/// `GET /api/v1/redemptions`: the most recent redemptions first.
public struct HistoryResponse: Codable, Sendable, Equatable {
    public var redemptions: [Entry]

    public init(redemptions: [Entry]) { self.redemptions = redemptions }

    /// One redemption.
    public struct Entry: Codable, Sendable, Equatable {
        public var redemptionId: String
        public var deviceSequence: Int64
        public var redeemedAt: Date
        public var tokenId: String
        public var campaignId: String
        public var campaignTitle: String?
        public var uses: Int
        public var codeLast4: String
        public var source: String
        public var voidedAt: Date?
        public var uploadState: String?
        /// Who redeemed (issue 17); absent for nobody.
        public var staffId: String?
        public var staffName: String?

        public init(redemptionId: String, deviceSequence: Int64, redeemedAt: Date, tokenId: String,
                    campaignId: String, campaignTitle: String?, uses: Int, codeLast4: String, source: String,
                    voidedAt: Date?, uploadState: String?, staffId: String? = nil, staffName: String? = nil) {
            self.redemptionId = redemptionId
            self.deviceSequence = deviceSequence
            self.redeemedAt = redeemedAt
            self.tokenId = tokenId
            self.campaignId = campaignId
            self.campaignTitle = campaignTitle
            self.uses = uses
            self.codeLast4 = codeLast4
            self.source = source
            self.voidedAt = voidedAt
            self.uploadState = uploadState
            self.staffId = staffId
            self.staffName = staffName
        }
    }
}
