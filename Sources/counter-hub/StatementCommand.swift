import ArgumentParser
import CounterCore
import CounterHub
import Foundation

extension CounterHubCommand {
    /// `counter-hub statement`: a shop's 对账单 for one day.
    struct StatementCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "statement",
            abstract: "A shop's 对账单 for one local day: accepted redemptions and voids by campaign, and the reward owed.",
            discussion: "Amounts are in fen. Shift and day closes of that day are listed with their 对账 as of now.")
        @OptionGroup var options: DataOptions
        @Option(help: "The shop id.") var shop: String
        @Option(help: "The day, YYYY-MM-DD in the shop's time zone.") var date: String
        @Flag(help: "CSV: one row per campaign, then the total.") var csv = false
        @Flag(help: "One JSON object.") var json = false

        func run() throws {
            let statement = try admin { try options.store().statement(shop: shop, date: date) }
            if json { return try printJSONLine(statement) }
            let columns = [\ShopStatement.Line.redemptions, \.uses, \.faceValueFen, \.rewardFen, \.voids, \.voidUses, \.voidRewardFen,
                           \.netRewardFen]
            if csv {
                print("campaign_id,title,redemptions,uses,face_value_fen,reward_fen,voids,void_uses,void_reward_fen,net_reward_fen")
                for line in statement.campaigns + [statement.totals, statement.training] {
                    print(([Self.csvField(line.campaignId), Self.csvField(line.title)] + columns.map { "\(line[keyPath: $0])" })
                        .joined(separator: ","))
                }
                return
            }
            print("对账单 statement · \(statement.shopName) (\(statement.shopId)) · \(statement.date) \(statement.timeZone)")
            for line in statement.campaigns + [statement.totals] {
                print("\(line.title): \(line.redemptions) redemptions (\(line.uses) uses), face \(Money(fen: line.faceValueFen)), "
                      + "reward \(Money(fen: line.rewardFen)); \(line.voids) voids (\(line.voidUses) uses, reward \(Money(fen: -line.voidRewardFen))); "
                      + "owed \(Money(fen: line.netRewardFen))")
            }
            if statement.training.redemptions > 0 {
                print("练习 training (owed nothing): \(statement.training.redemptions) redemptions (\(statement.training.uses) uses)")
            }
            for close in statement.shiftCloses {
                print("\(close.kind == "day" ? "day close" : "shift close") \(close.shiftId) on \(close.deviceId): "
                      + "\(close.redemptions) redemptions, reward \(Money(fen: close.rewardFen)), "
                      + (close.reconciliation == "matched" ? "对账一致 matched" : "对账不一致 mismatched, \(close.missingEvents) event(s) missing"))
            }
        }

        /// A CSV field, quoted when it holds a comma, a quote or a line break; a leading =, +, - or @ is prefixed with '
        /// so that a spreadsheet never runs a campaign title as a formula.
        static func csvField(_ text: String) -> String {
            var value = text
            if let first = value.first, "=+-@".contains(first) { value = "'" + value }
            guard value.contains(where: { ",\"\n\r".contains($0) }) else { return value }
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }
}
