import CounterCore
@testable import CounterLedger
import Foundation
import Testing

/// Training mode (练习模式, issue 17, item 7): only practice codes redeem in it, practice codes nowhere else, and they
/// count in no shift total.
@Suite struct TrainingLedgerTests {
    static let practice = Campaign(id: "PRACTICE", title: "练习券 Practice", product: "练习 Practice", faceValue: Money(fen: 1800),
                                   shopReward: Money(fen: 200), offlinePolicy: .allowSigned, training: true)

    static func practiceToken(_ code: String) -> Token {
        var token = LedgerFixture.token(code)
        token.campaignID = practice.id
        return token
    }

    @Test func trainingCodesRedeemOnlyInTrainingModeAndNeverCount() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let now = LedgerFixture.now
        try await ledger.apply(CacheUpdate(campaigns: [Self.practice], tokens: [Self.practiceToken("PRACTICE-01"), Self.practiceToken("PRACTICE-02")]))
        _ = try await ledger.openShift(by: "m", at: now)

        // Not in training: a practice code is refused, a real one redeems.
        #expect(try await ledger.redeem("PRACTICE-01", source: "pos", at: now).reason == .trainingCode)
        #expect(try await ledger.redeem("SINGLE-0001", source: "pos", at: now).reason == .ok)
        #expect(try await !ledger.trainingMode())

        // In training: the reverse, and the practice redemption is marked.
        try await ledger.setTrainingMode(true)
        #expect(try await ledger.check("SINGLE-0002", at: now).reason == .trainingOnly)
        #expect(try await ledger.redeem("SINGLE-0002", source: "pos", at: now).reason == .trainingOnly)
        let practice = try await ledger.redeem("PRACTICE-01", source: "pos", at: now)
        #expect(practice.reason == .ok)
        let id = try #require(practice.redemption?.id.lowercasedString)
        #expect(try await ledger.receiptFacts(redemptionID: id)?.training == true)
        try await ledger.setTrainingMode(false)

        // The shift counts the real redemption only; the practice one is apart.
        let z = try await ledger.closeShift(by: "m", at: now.addingTimeInterval(60))
        #expect(z.redemptions.count == 1 && z.rewardFen == 200)
        #expect(z.campaigns.map(\.campaignId) == ["COFFEE"])
        #expect(z.training == .init(count: 1, uses: 1, faceValueFen: 0, rewardFen: 0))
        #expect(z.rejections.map(\.reason).sorted() == ["training_code", "training_only"])
        // Its sequence is still in the close's range: the hub holds it, so the 对账 matches.
        #expect(z.firstSequence == 1 && z.lastSequence == 2)
    }
}
