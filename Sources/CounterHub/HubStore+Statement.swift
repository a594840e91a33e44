import CounterCore
import CounterSyncModels
import Foundation

/// A shop's 对账单 for one local day (`counter-hub statement`): every accepted redemption and void the hub holds, by
/// campaign, and the shop's reward owed (服务点奖励), which is what the platform pays. Amounts are in fen.
public struct ShopStatement: Codable, Sendable, Equatable {
    public var shopId: String
    public var shopName: String
    /// `YYYY-MM-DD` in the shop's time zone.
    public var date: String
    public var timeZone: String
    public var campaigns: [Line]
    public var totals: Line
    /// Practice redemptions (练习), apart: in no other line, owed nothing.
    public var training: Line
    /// The day's shift and day closes from the shop's counters, each reconciled now against the events the hub holds.
    public var shiftCloses: [ShiftCloseLine]

    /// One campaign's figures (or the totals: `campaignId` `*`).
    public struct Line: Codable, Sendable, Equatable {
        public var campaignId: String
        public var title: String
        public var redemptions = 0
        public var uses = 0
        public var faceValueFen = 0
        public var rewardFen = 0
        public var voids = 0
        public var voidUses = 0
        public var voidRewardFen = 0
        /// The reward owed: the redemptions' minus the voids'.
        public var netRewardFen = 0

        public init(campaignId: String, title: String) {
            self.campaignId = campaignId
            self.title = title
        }

        mutating func add(_ other: Line) {
            redemptions = redemptions.saturatingAdding(other.redemptions)
            uses = uses.saturatingAdding(other.uses)
            faceValueFen = faceValueFen.saturatingAdding(other.faceValueFen)
            rewardFen = rewardFen.saturatingAdding(other.rewardFen)
            voids = voids.saturatingAdding(other.voids)
            voidUses = voidUses.saturatingAdding(other.voidUses)
            voidRewardFen = voidRewardFen.saturatingAdding(other.voidRewardFen)
            netRewardFen = rewardFen.saturatingAdding(-voidRewardFen)
        }
    }

    public struct ShiftCloseLine: Codable, Sendable, Equatable {
        public var deviceId: String
        public var shiftId: String
        public var kind: String
        public var closedAt: Date
        public var redemptions: Int
        public var rewardFen: Int
        /// `matched` or `mismatched`, as of now.
        public var reconciliation: String
        /// How many of its device sequences the hub lacks now.
        public var missingEvents: Int
    }
}

extension HubStore {
    /// The statement of `shop` for the local day `date` (`YYYY-MM-DD`, the shop's time zone): accepted redemptions and
    /// voids whose time falls in that day, at their campaigns' face value and reward.
    public func statement(shop: String, date: String) throws -> ShopStatement {
        try database.read { sql in
            guard let shopRow = try sql.row("SELECT * FROM shop WHERE id = ?", [shop]) else {
                throw HubError("not_found", "no shop \(shop)")
            }
            let zoneName: String = try shopRow["time_zone"]
            let zone = TimeZone(identifier: zoneName) ?? .gmt
            guard let (start, end) = Self.day(date, in: zone) else {
                throw HubError("invalid_date", "the date must be YYYY-MM-DD, such as 2026-12-05")
            }
            var lines: [String: ShopStatement.Line] = [:]
            var training = ShopStatement.Line(campaignId: "training", title: "练习 Training")
            for row in try sql.rows("""
                SELECT e.type, e.uses, t.campaign_id, c.title, c.face_value_fen, c.shop_reward_fen, c.training
                FROM event e JOIN device d ON d.id = e.device_id
                LEFT JOIN token t ON t.id = e.token_id LEFT JOIN campaign c ON c.id = t.campaign_id
                WHERE d.shop_id = ? AND e.status = 'accepted' AND e.type IN ('redemption', 'void')
                  AND e.occurred_at >= ? AND e.occurred_at < ?
                  AND (e.type = 'redemption'
                       OR EXISTS (SELECT 1 FROM event r WHERE r.id = e.redemption_id AND r.status = 'accepted'))
                """, [shop, start, end]) {
                // Practice redemptions (练习) never count: they are shown apart.
                if try row["training"] as Bool? ?? false {
                    let type: String = try row["type"]
                    if type == "redemption" { training.redemptions += 1; training.uses += try row["uses"] as Int }
                    continue
                }
                let campaign: String = try row["campaign_id"] ?? "?"
                let uses: Int = try row["uses"]
                let face: Int = try row["face_value_fen"] ?? 0
                let reward: Int = try row["shop_reward_fen"] ?? 0
                let title: String = try row["title"] ?? campaign
                var line = lines[campaign] ?? ShopStatement.Line(campaignId: campaign, title: title)
                var delta = ShopStatement.Line(campaignId: campaign, title: line.title)
                let type: String = try row["type"]
                if type == "redemption" {
                    delta.redemptions = 1
                    delta.uses = uses
                    delta.faceValueFen = face.saturatingMultiplied(by: uses)
                    delta.rewardFen = reward.saturatingMultiplied(by: uses)
                } else {
                    delta.voids = 1
                    delta.voidUses = uses
                    delta.voidRewardFen = reward.saturatingMultiplied(by: uses)
                }
                line.add(delta)
                lines[campaign] = line
            }
            let campaigns = lines.values.sorted { $0.campaignId < $1.campaignId }
            var totals = ShopStatement.Line(campaignId: "*", title: "合计 Total")
            for line in campaigns { totals.add(line) }
            var closes: [ShopStatement.ShiftCloseLine] = []
            for row in try sql.rows("""
                SELECT e.id, e.device_id, e.body, e.occurred_at FROM event e JOIN device d ON d.id = e.device_id
                WHERE d.shop_id = ? AND e.type = 'shift_close' AND e.status = 'accepted' AND e.occurred_at >= ? AND e.occurred_at < ?
                ORDER BY e.occurred_at
                """, [shop, start, end]) {
                let body: String = try row["body"]
                guard let shift = try? WireJSON.decoder().decode(EventsRequest.Event.self, from: Data(body.utf8)).shift else { continue }
                let device: String = try row["device_id"]
                let answer = try Self.reconcile(device: device, shift, sql)
                closes.append(.init(deviceId: device, shiftId: try row["id"], kind: shift.kind, closedAt: try row["occurred_at"],
                                    redemptions: shift.redemptions, rewardFen: shift.rewardFen, reconciliation: answer.status,
                                    missingEvents: answer.missingSequences.count))
            }
            return ShopStatement(shopId: shop, shopName: try shopRow["name"], date: date, timeZone: zoneName,
                                 campaigns: campaigns, totals: totals, training: training, shiftCloses: closes)
        }
    }

    /// The start and end of the local day `YYYY-MM-DD` in `zone`.
    static func day(_ text: String, in zone: TimeZone) -> (Date, Date)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: year, month: month, day: day)
        guard calendar.dateComponents([.year, .month, .day], from: calendar.date(from: components) ?? .distantPast) == components,
              let start = calendar.date(from: components), let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        return (start, end)
    }
}
