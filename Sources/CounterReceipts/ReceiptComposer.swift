import CounterCore
import CounterLedger
import CounterPrint
import Foundation

/// Turns what the ledger knows about a redemption into what its receipt shows, in the shop's time zone.
public struct ReceiptComposer: Sendable {
    let timeZone: TimeZone
    /// Shown when the feed has not told the shop's name (an unenrolled or demo counter).
    let fallbackShopName: String?

    public init(timeZone: TimeZone, fallbackShopName: String?) {
        self.timeZone = timeZone
        self.fallbackShopName = fallbackShopName
    }

    func content(_ facts: ReceiptFacts, usesLeft: Int?, reprint: Bool) -> ReceiptContent {
        let isVoid = facts.void != nil
        var content = ReceiptContent(
            kind: isVoid ? .void : .redemption,
            shopName: facts.shopName ?? fallbackShopName ?? facts.shopID,
            campaignTitle: facts.campaignTitle ?? "",
            product: facts.product ?? "",
            faceValue: facts.faceValueFen.map { Money(fen: $0).description } ?? "",
            shopReward: isVoid ? nil : facts.shopRewardFen.flatMap { Money(fen: $0).times(facts.uses)?.description },
            usesRedeemed: facts.uses,
            usesLeft: isVoid ? nil : usesLeft,
            time: ShopTimeFormatter(timeZone: timeZone).stringWithSeconds(facts.void?.voidedAt ?? facts.redeemedAt),
            deviceID: facts.deviceID,
            deviceSequence: facts.void?.sequence ?? facts.redemptionSequence,
            codeLastFour: facts.codeLastFour,
            redemptionID: facts.redemptionID,
            isReprint: reprint,
            staffName: isVoid ? facts.void?.staffName : facts.staffName)
        content.isTraining = facts.training
        return content
    }
}
