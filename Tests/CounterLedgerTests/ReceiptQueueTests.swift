import CounterCore
@testable import CounterLedger
import Foundation
import Testing

@Suite struct ReceiptQueueTests {
    @Test func theOriginalReceiptIsQueuedOnceAndReprintsAlways() async throws {
        let fixture = try await LedgerFixture()
        let verdict = try await fixture.ledger.redeem("CARD-0010", source: "test", at: LedgerFixture.now)
        let id = try #require(verdict.redemption?.id.lowercasedString)
        let first = try await fixture.ledger.enqueueReceipt(.redemption, itemID: id, redemptionID: id, usesLeft: 9, at: LedgerFixture.now)
        #expect(first != nil)
        #expect(try await fixture.ledger.enqueueReceipt(.redemption, itemID: id, redemptionID: id, usesLeft: 9) == nil,
                "a second original is refused")
        let reprint = try await fixture.ledger.enqueueReceipt(.redemption, itemID: id, redemptionID: id, usesLeft: nil, reprint: true)
        #expect(reprint != nil)
        let due = try await fixture.ledger.dueReceiptJobs(now: Date())
        #expect(due.map(\.isReprint) == [false, true])
        #expect(due[1].usesLeft == 9, "a reprint shows the uses left of the original")
    }

    @Test func retriesWaitTheirTurnAndStatesAreCounted() async throws {
        let fixture = try await LedgerFixture()
        let verdict = try await fixture.ledger.redeem("SINGLE-0001", source: "test", at: LedgerFixture.now)
        let id = try #require(verdict.redemption?.id.lowercasedString)
        let job = try #require(try await fixture.ledger.enqueueReceipt(.redemption, itemID: id, redemptionID: id, usesLeft: 0))
        let later = Date().addingTimeInterval(30)
        try await fixture.ledger.markReceiptRetry(job, error: "CUPS is not answering", next: later)
        #expect(try await fixture.ledger.dueReceiptJobs(now: Date()).isEmpty)
        #expect(try await fixture.ledger.dueReceiptJobs(now: later).count == 1)
        #expect(try await fixture.ledger.nextReceiptAttempt() != nil)
        var counts = try await fixture.ledger.receiptQueueCounts()
        #expect(counts.pending == 1)
        #expect(counts.lastError == "CUPS is not answering")

        try await fixture.ledger.markReceiptSubmitted(job, printer: "receipt", cupsJobID: 7)
        #expect(try await fixture.ledger.submittedReceiptJobs().map(\.cupsJobID) == [7])
        #expect(try await fixture.ledger.dueReceiptJobs(now: later).isEmpty, "submitted jobs are never submitted again")
        try await fixture.ledger.markReceiptFinished(job, printed: true)
        counts = try await fixture.ledger.receiptQueueCounts()
        #expect(counts.printed == 1 && counts.pending == 0 && counts.submitted == 0)
        #expect(try await fixture.ledger.receiptJob(job)?.attempts == 2)
    }

    @Test func theReceiptsBehindAFailedOneWaitAsLong() async throws {
        let fixture = try await LedgerFixture()
        var jobs: [Int64] = []
        for code in ["SINGLE-0001", "SINGLE-0002"] {
            let id = try #require(try await fixture.ledger.redeem(code, source: "test").redemption?.id.lowercasedString)
            jobs.append(try #require(try await fixture.ledger.enqueueReceipt(.redemption, itemID: id, redemptionID: id, usesLeft: 0)))
        }
        let later = Date().addingTimeInterval(30)
        try await fixture.ledger.markReceiptRetry(jobs[0], error: "CUPS is not answering", next: later)
        #expect(try await fixture.ledger.dueReceiptJobs(now: Date()).isEmpty, "the second waits for the first's backoff")
        #expect(try await fixture.ledger.dueReceiptJobs(now: later).map(\.id) == jobs, "both due then, oldest first")
        #expect(try await fixture.ledger.receiptJob(jobs[1])?.attempts == 0, "only the tried one counts an attempt")
    }

    @Test func factsOfARedemptionAndItsVoid() async throws {
        let fixture = try await LedgerFixture()
        let verdict = try await fixture.ledger.redeem("SINGLE-0002", source: "test")
        let redemption = try #require(verdict.redemption)
        let id = redemption.id.lowercasedString
        let facts = try #require(try await fixture.ledger.receiptFacts(redemptionID: id))
        #expect(facts.campaignTitle == "Coffee")
        #expect(facts.faceValueFen == 1800 && facts.shopRewardFen == 200)
        #expect(facts.codeLastFour == "0002")
        #expect(facts.void == nil)
        let outcome = try await fixture.ledger.void(redemptionID: redemption.id, reason: "mistake", source: "test", window: 600)
        let voidID = try #require(try await fixture.ledger.voidID(ofRedemption: id))
        #expect(voidID == outcome.voidID?.lowercasedString)
        let voided = try #require(try await fixture.ledger.receiptFacts(redemptionID: id, voidID: voidID))
        #expect(voided.void?.reason == "mistake")
        #expect(try await fixture.ledger.receiptFacts(redemptionID: UUID().uuidString) == nil)
    }
}
