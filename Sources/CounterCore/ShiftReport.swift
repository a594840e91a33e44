import Foundation

/// A shift's figures (交班), all from the ledger (docs/staff-and-shifts.md): the X report while it is open, the Z report
/// once closed. Amounts are in fen and saturate rather than overflow.
public struct ShiftReport: Codable, Sendable, Equatable {
    /// A shift a person opened and closed, or the automatic day close.
    public enum Kind: String, Codable, Sendable { case shift, day }

    public var shiftId: String
    public var kind: Kind
    public var openedAt: Date
    public var openedBy: String?
    public var closedAt: Date?
    public var closedBy: String?
    /// The first and last device sequence of the shift's redemptions and voids; `nil` when it has none.
    public var firstSequence: Int64?
    public var lastSequence: Int64?
    /// Per campaign: redemptions, uses, face value and the shop's reward (服务点奖励).
    public var campaigns: [CampaignLine]
    /// Every redemption of the shift.
    public var redemptions: Totals
    /// The shift's voids (of any redemption), with what they took back.
    public var voids: Totals
    /// Rejected scans by reason, most frequent first.
    public var rejections: [ReasonCount]
    /// The shop's reward the shift earned: the redemptions' minus the voids'.
    public var rewardFen: Int
    /// Per staff member (`nil` id: nobody signed in).
    public var staff: [StaffLine]
    /// The hub's answer to the shift's close (对账), once it gave one.
    public var reconciliation: Reconciliation?
    /// Practice redemptions (练习模式), apart: they are in no other figure and earn nothing; `nil` when there were none.
    public var training: Totals?

    public init(shiftId: String, kind: Kind, openedAt: Date, openedBy: String?, closedAt: Date?, closedBy: String?,
                firstSequence: Int64?, lastSequence: Int64?, campaigns: [CampaignLine], redemptions: Totals, voids: Totals,
                rejections: [ReasonCount], rewardFen: Int, staff: [StaffLine], reconciliation: Reconciliation? = nil) {
        self.shiftId = shiftId
        self.kind = kind
        self.openedAt = openedAt
        self.openedBy = openedBy
        self.closedAt = closedAt
        self.closedBy = closedBy
        self.firstSequence = firstSequence
        self.lastSequence = lastSequence
        self.campaigns = campaigns
        self.redemptions = redemptions
        self.voids = voids
        self.rejections = rejections
        self.rewardFen = rewardFen
        self.staff = staff
        self.reconciliation = reconciliation
    }

    /// A count, the uses, the face value and the shop's reward.
    public struct Totals: Codable, Sendable, Equatable {
        public var count: Int
        public var uses: Int
        public var faceValueFen: Int
        public var rewardFen: Int

        public init(count: Int = 0, uses: Int = 0, faceValueFen: Int = 0, rewardFen: Int = 0) {
            self.count = count
            self.uses = uses
            self.faceValueFen = faceValueFen
            self.rewardFen = rewardFen
        }

        /// Adds one event of `uses` uses at `faceValueFen` and `rewardFen` per use, saturating.
        public mutating func add(uses: Int, faceValueFen: Int, rewardFen: Int) {
            count = count.saturatingAdding(1)
            self.uses = self.uses.saturatingAdding(uses)
            self.faceValueFen = self.faceValueFen.saturatingAdding(faceValueFen.saturatingMultiplied(by: uses))
            self.rewardFen = self.rewardFen.saturatingAdding(rewardFen.saturatingMultiplied(by: uses))
        }
    }

    public struct CampaignLine: Codable, Sendable, Equatable {
        public var campaignId: String
        public var title: String?
        public var totals: Totals

        public init(campaignId: String, title: String?, totals: Totals) {
            self.campaignId = campaignId
            self.title = title
            self.totals = totals
        }
    }

    public struct ReasonCount: Codable, Sendable, Equatable {
        public var reason: String
        public var count: Int

        public init(reason: String, count: Int) {
            self.reason = reason
            self.count = count
        }
    }

    public struct StaffLine: Codable, Sendable, Equatable {
        public var staffId: String?
        public var name: String?
        public var redemptions: Int
        public var uses: Int
        public var voids: Int

        public init(staffId: String?, name: String?, redemptions: Int = 0, uses: Int = 0, voids: Int = 0) {
            self.staffId = staffId
            self.name = name
            self.redemptions = redemptions
            self.uses = uses
            self.voids = voids
        }
    }

    /// The hub's 对账 answer for a closed shift.
    public struct Reconciliation: Codable, Sendable, Equatable {
        /// `pending` (not answered yet), `matched` or `mismatched`.
        public var status: String
        /// The device sequences the hub lacked at its last answer.
        public var missingSequences: [Int64]
        public var checkedAt: Date?

        public init(status: String, missingSequences: [Int64] = [], checkedAt: Date? = nil) {
            self.status = status
            self.missingSequences = missingSequences
            self.checkedAt = checkedAt
        }
    }
}

extension Int {
    /// `self + other`, clamped to `Int`'s range.
    public func saturatingAdding(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }

    /// `self × other`, clamped to `Int`'s range.
    public func saturatingMultiplied(by other: Int) -> Int {
        let (product, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? ((self < 0) != (other < 0) ? .min : .max) : product
    }
}
