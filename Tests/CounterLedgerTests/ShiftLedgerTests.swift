import CounterCore
@testable import CounterLedger
import Foundation
import GRDB
import Testing

/// Shifts (issue 17, item 5) and their 对账 (item 6) in the ledger: X and Z reports from the ledger's events, the
/// `shift_close` event, and what a hub's reconciliation answer queues again.
@Suite struct ShiftLedgerTests {
    let now = LedgerFixture.now

    @Test func theXReportCountsTheShiftAndTheZReportIsFixedAtTheClose() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        // Before the shift: not counted.
        _ = try await ledger.redeem("SINGLE-0001", source: "pos", staffID: "a", at: now)
        let opened = try await ledger.openShift(by: "m", at: now.addingTimeInterval(60))
        #expect(opened.redemptions == .init() && opened.firstSequence == nil)
        await #expect(throws: ShiftError.alreadyOpen(since: now.addingTimeInterval(60))) {
            _ = try await ledger.openShift(by: "m", at: now.addingTimeInterval(61))
        }
        let card = try #require(try await ledger.redeem("CARD-0010", uses: 3, source: "pos", staffID: "a", at: now.addingTimeInterval(120)).redemption)
        _ = try await ledger.redeem("SINGLE-0002", source: "pos", staffID: "b", at: now.addingTimeInterval(130))
        _ = try await ledger.redeem("SINGLE-0002", source: "pos", staffID: "b", at: now.addingTimeInterval(140))  // already redeemed
        _ = try await ledger.redeem("NO-SUCH-CODE", source: "pos", staffID: "b", at: now.addingTimeInterval(150))
        _ = try await ledger.void(redemptionID: card.id, source: "pos", staffID: "a", window: 600, at: now.addingTimeInterval(160))

        let x = try #require(try await ledger.currentShift(at: now.addingTimeInterval(170)))
        #expect(x.closedAt == nil)
        #expect(x.campaigns.map(\.campaignId) == ["COFFEE"])
        // 4 uses at ￥18.00 face, ￥2.00 reward; the void takes back 3 uses.
        #expect(x.redemptions == .init(count: 2, uses: 4, faceValueFen: 7200, rewardFen: 800))
        #expect(x.voids == .init(count: 1, uses: 3, faceValueFen: 5400, rewardFen: 600))
        #expect(x.rewardFen == 200)
        #expect(x.firstSequence == 2 && x.lastSequence == 4, "the redemption before the shift is sequence 1")
        #expect(x.rejections == [.init(reason: "already_redeemed", count: 1), .init(reason: "unknown_code", count: 1)])
        #expect(x.staff == [.init(staffId: "a", name: nil, redemptions: 1, uses: 3, voids: 1),
                            .init(staffId: "b", name: nil, redemptions: 1, uses: 1, voids: 0)])

        let z = try await ledger.closeShift(by: "m", at: now.addingTimeInterval(180))
        #expect(z.closedAt == now.addingTimeInterval(180) && z.closedBy == "m")
        #expect(z.redemptions == x.redemptions && z.voids == x.voids && z.rewardFen == 200)
        #expect(z.reconciliation?.status == "pending")
        await #expect(throws: ShiftError.noOpenShift) { _ = try await ledger.closeShift(by: "m", at: now.addingTimeInterval(181)) }
        // After the close, a redemption does not change the Z report.
        _ = try await ledger.redeem("CARD-0010", source: "pos", at: now.addingTimeInterval(200))
        #expect(try await ledger.shiftReport(id: z.shiftId)?.redemptions == z.redemptions)

        // The close is queued last, with its range: after sequence 1 up to 4.
        let events = try await ledger.pendingOutbox(limit: 20)
        #expect(events.last?.kind == .shiftClose)
        #expect(events.last?.id == z.shiftId)
        #expect(events.last?.shift?.afterSequence == 1 && events.last?.shift?.lastSequence == 4)
        #expect(events.last?.occurredAt == now.addingTimeInterval(180))
    }

    @Test func aMismatchQueuesTheMissingEventsAndTheCloseAgainAndNothingElse() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        _ = try await ledger.openShift(by: nil, at: now)
        var ids: [String] = []
        for code in ["SINGLE-0001", "SINGLE-0002", "CARD-0010"] {
            ids.append(try #require(try await ledger.redeem(code, source: "pos", at: now).redemption?.id.lowercasedString))
        }
        let z = try await ledger.closeShift(by: nil, at: now.addingTimeInterval(60))
        let all = try await ledger.pendingOutbox(limit: 20)
        try await ledger.recordDelivery(all.map { ($0.id, .accepted) }, at: now)
        #expect(try await ledger.pendingOutbox(limit: 20).isEmpty)

        // The hub lacks sequence 2; a hostile answer adds sequences outside the shift: only 2 goes out again, with the close.
        let requeued = try await ledger.recordReconciliation(shiftID: z.shiftId, matched: false, missing: [2, 99, 0, -5, 2],
                                                             at: now.addingTimeInterval(70))
        #expect(requeued == [ids[1]])
        #expect(try await ledger.pendingOutbox(limit: 20).map(\.id) == [ids[1], z.shiftId])
        var report = try #require(try await ledger.shiftReport(id: z.shiftId))
        #expect(report.reconciliation == .init(status: "mismatched", missingSequences: [2], checkedAt: now.addingTimeInterval(70)))

        // The same answer again after the resend (a hub that does not take them, or a hostile one): nothing is queued
        // again, so the uploader cannot loop; the close stays mismatched for a person.
        try await ledger.recordDelivery([(ids[1], .accepted), (z.shiftId, .duplicate)], at: now)
        #expect(try await ledger.recordReconciliation(shiftID: z.shiftId, matched: false, missing: [2], at: now.addingTimeInterval(75)).isEmpty)
        #expect(try await ledger.pendingOutbox(limit: 20).isEmpty)
        #expect(try await ledger.shiftReport(id: z.shiftId)?.reconciliation?.status == "mismatched")

        // Matched: nothing is queued.
        try await ledger.recordDelivery([(ids[1], .accepted), (z.shiftId, .duplicate)], at: now)
        #expect(try await ledger.recordReconciliation(shiftID: z.shiftId, matched: true, missing: [], at: now.addingTimeInterval(80)).isEmpty)
        #expect(try await ledger.pendingOutbox(limit: 20).isEmpty)
        report = try #require(try await ledger.shiftReport(id: z.shiftId))
        #expect(report.reconciliation?.status == "matched")
        #expect(try await ledger.closedShifts(limit: 5).map(\.shiftId) == [z.shiftId])
    }

    @Test func theDayCloseClosesTheOpenShiftOrWhatHappenedSinceTheLastClose() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        #expect(try await ledger.closeDay(at: now) == nil, "nothing happened: no day close")
        _ = try await ledger.redeem("SINGLE-0001", source: "pos", at: now)
        // No shift was opened: the day close covers everything since the start.
        let first = try #require(try await ledger.closeDay(at: now.addingTimeInterval(100)))
        #expect(first.kind == .day && first.redemptions.count == 1 && first.firstSequence == 1)
        #expect(first.openedAt == now, "opened at the first thing that happened, never before 1970")
        #expect(try await ledger.lastDayClose() == now.addingTimeInterval(100))
        #expect(try await ledger.closeDay(at: now.addingTimeInterval(200)) == nil)
        // A shift still open at the day close is closed as the day close.
        _ = try await ledger.openShift(by: "m", at: now.addingTimeInterval(300))
        _ = try await ledger.redeem("SINGLE-0002", source: "pos", at: now.addingTimeInterval(310))
        let second = try #require(try await ledger.closeDay(at: now.addingTimeInterval(400)))
        #expect(second.kind == .day && second.openedBy == "m" && second.redemptions.count == 1 && second.firstSequence == 2)
        #expect(try await ledger.currentShift(at: now.addingTimeInterval(401)) == nil)
    }

    @Test func amountsSaturateInsteadOfTrapping() {
        var totals = ShiftReport.Totals()
        totals.add(uses: 65_535, faceValueFen: 9_007_199_254_740_991, rewardFen: 9_007_199_254_740_991)
        totals.add(uses: 65_535, faceValueFen: 9_007_199_254_740_991, rewardFen: 9_007_199_254_740_991)
        #expect(totals.faceValueFen == .max && totals.rewardFen == .max && totals.count == 2)
    }
}
