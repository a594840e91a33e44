import CounterCore
@testable import CounterLedger
import Foundation
import GRDB
import Testing

@Suite struct VoidTests {
    let window: TimeInterval = 600

    @Test func voidInsideTheWindowRestoresTheUseAndTakesTheNextSequence() async throws {
        let fixture = try await LedgerFixture()
        let redeemed = try await fixture.ledger.redeem("CARD-0010", uses: 2, source: "a", at: LedgerFixture.now)
        let id = try #require(redeemed.redemption?.id)
        let outcome = try await fixture.ledger.void(redemptionID: id, source: "counterctl", window: window,
                                                    at: LedgerFixture.now + window - 1)
        #expect(outcome.status == .voided)
        #expect(outcome.usesRestored == 2)
        #expect(outcome.usesLeft == 10)
        #expect(outcome.deviceSequence == 2)
        let outbox = try fixture.rows("SELECT kind FROM outbox ORDER BY id")
        #expect(outbox.map { $0["kind"] as String } == ["redemption", "void"])
        // The restored use can be redeemed again.
        #expect(try await fixture.ledger.redeem("CARD-0010", uses: 10, source: "a", at: LedgerFixture.now).reason == .ok)
    }

    @Test func windowEndIsExclusive() async throws {
        let fixture = try await LedgerFixture()
        let id = try #require(try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now).redemption?.id)
        let late = try await fixture.ledger.void(redemptionID: id, source: "a", window: window, at: LedgerFixture.now + window)
        #expect(late.status == .windowClosed)
        #expect(late.windowEnd == LedgerFixture.now + window)
        #expect(try await fixture.count("SELECT COUNT(*) FROM void") == 0)
        #expect(try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now).reason == .alreadyRedeemed)
    }

    /// Issue 15, item 13: a clock set back far below a redemption must not make an old redemption voidable again.
    @Test func aClockSetBackBelowTheRedemptionClosesTheWindow() async throws {
        let fixture = try await LedgerFixture()
        let id = try #require(try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now).redemption?.id)
        let setBack = try await fixture.ledger.void(redemptionID: id, source: "a", window: window, at: LedgerFixture.now - 86_400)
        #expect(setBack.status == .windowClosed)
        let inTime = try await fixture.ledger.void(redemptionID: id, source: "a", window: window, at: LedgerFixture.now + 60)
        #expect(inTime.status == .voided)
    }

    @Test func aRedemptionIsVoidedOnce() async throws {
        let fixture = try await LedgerFixture()
        let id = try #require(try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now).redemption?.id)
        #expect(try await fixture.ledger.void(redemptionID: id, source: "a", window: window, at: LedgerFixture.now).status == .voided)
        #expect(try await fixture.ledger.void(redemptionID: id, source: "a", window: window, at: LedgerFixture.now).status == .alreadyVoided)
        #expect(try await fixture.count("SELECT uses_remaining FROM token WHERE id = '\(LedgerFixture.tokenID("SINGLE-0001").hex)'") == 1)
    }

    @Test func unknownRedemption() async throws {
        let fixture = try await LedgerFixture()
        #expect(try await fixture.ledger.void(redemptionID: UUID(), source: "a", window: window).status == .notFound)
    }

    @Test func onlyTheRedeemingDeviceMayVoid() async throws {
        let fixture = try await LedgerFixture()
        let id = try #require(try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now).redemption?.id)
        try await fixture.ledger.writer.write { db in
            try db.execute(sql: "UPDATE redemption SET device_id = 'till-9'")
        }
        #expect(try await fixture.ledger.void(redemptionID: id, source: "a", window: window, at: LedgerFixture.now).status == .otherDevice)
    }

    @Test func sequenceIsGapFreeAcrossRedemptionsVoidsAndRejections() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let a = try await ledger.redeem("CARD-0010", source: "a", at: LedgerFixture.now)
        _ = try await ledger.redeem("nothing", source: "a", at: LedgerFixture.now)
        _ = try await ledger.void(redemptionID: a.redemption!.id, source: "a", window: window, at: LedgerFixture.now)
        _ = try await ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now)
        _ = try await ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now)
        _ = try await ledger.redeem("CARD-0010", source: "a", at: LedgerFixture.now)
        let sequences = try fixture.rows(
            "SELECT device_sequence FROM redemption UNION ALL SELECT device_sequence FROM void ORDER BY 1")
            .map { $0[0] as Int64 }
        #expect(sequences == [1, 2, 3, 4])
        let status = try await ledger.status()
        #expect(status.lastSequence == 4)
        #expect(status.redemptions == 3)
        #expect(status.voids == 1)
        #expect(status.rejections == 2)
        #expect(status.outboxPending == 6)
        let history = try await ledger.history(limit: 10)
        #expect(history.map(\.deviceSequence) == [4, 3, 1])
        #expect(history.last?.voidedAt == LedgerFixture.now)
        #expect(history.first?.uploadState == "pending")
    }
}
