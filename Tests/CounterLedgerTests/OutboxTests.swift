import CounterCore
@testable import CounterLedger
import Foundation
import GRDB
import Testing

@Suite struct OutboxTests {
    let now = LedgerFixture.now
    let window: TimeInterval = 600

    /// Redeems `code` (which must be accepted) and returns the redemption's id as the outbox stores it.
    func redeemed(_ fixture: LedgerFixture, _ code: String, uses: Int = 1, source: String = "scanner-1",
                at time: Date) async throws -> String {
        let verdict = try await fixture.ledger.redeem(code, uses: uses, source: source, at: time)
        let receipt = try #require(verdict.redemption, "\(code) should be accepted, got \(verdict.reason)")
        return receipt.id.lowercasedString
    }

    /// Voids a redemption (which must succeed) and returns the void's id as the outbox stores it.
    func voided(_ fixture: LedgerFixture, _ redemptionID: String, reason: String = "cashier", source: String = "api",
              at time: Date) async throws -> String {
        let uuid = try #require(UUID(uuidString: redemptionID))
        let outcome = try await fixture.ledger.void(redemptionID: uuid, reason: reason, source: source,
                                                    window: window, at: time)
        let voidID = try #require(outcome.voidID, "the void should succeed, got \(outcome.status)")
        return voidID.lowercasedString
    }

    /// The ids of the rejections in the outbox, oldest first.
    func rejectionIDs(_ fixture: LedgerFixture) throws -> [String] {
        try fixture.rows("SELECT item_id FROM outbox WHERE kind = 'rejection' ORDER BY id").map { $0["item_id"] as String }
    }

    @Test func redemptionsAndVoidsComeBeforeAnEarlierRejection() async throws {
        let fixture = try await LedgerFixture()
        _ = try await fixture.ledger.redeem("NOT-A-CODE", source: "scanner-1", at: now)
        let first = try await redeemed(fixture, "SINGLE-0001", at: now + 1)
        let voidID = try await voided(fixture, first, at: now + 2)
        let second = try await redeemed(fixture, "CARD-0010", uses: 3, at: now + 3)
        let rejection = try #require(try rejectionIDs(fixture).first)

        let pending = try await fixture.ledger.pendingOutbox(limit: 10)
        #expect(pending.map(\.kind) == [OutboxKind.redemption, .void, .redemption, .rejection])
        #expect(pending.map(\.id) == [first, voidID, second, rejection])
        #expect(pending.map(\.deviceSequence) == [1, 2, 3, nil])
        #expect(pending.map(\.outboxID) == [2, 3, 4, 1], "the rejection was queued first")
    }

    @Test func eachKindCarriesTheFieldsOfTheContract() async throws {
        let fixture = try await LedgerFixture()
        let card = try await redeemed(fixture, "CARD-0010", uses: 3, source: "scanner-1", at: now)
        let voidID = try await voided(fixture, card, reason: "wrong item", source: "api", at: now + 5)
        _ = try await fixture.ledger.redeem("NOT-A-CODE", source: "terminal", at: now + 9)
        let single = try await redeemed(fixture, "SINGLE-0001", source: "counterctl", at: now + 10)
        _ = try await fixture.ledger.redeem("SINGLE-0001", source: "scanner-2", at: now + 11)
        let rejections = try rejectionIDs(fixture)
        try #require(rejections.count == 2)
        let unknownHash = try CanonicalCode("NOT-A-CODE").hash.hex
        let singleHash = try CanonicalCode("SINGLE-0001").hash.hex
        #expect(unknownHash.count == 64)

        let pending = try await fixture.ledger.pendingOutbox(limit: 10)
        try #require(pending.count == 5)
        #expect(pending[0] == OutboxEvent(
            outboxID: 1, kind: .redemption, id: card, occurredAt: now, clockSuspect: false, deviceSequence: 1,
            tokenID: LedgerFixture.tokenID("CARD-0010").hex, campaignID: "COFFEE", shopID: "SHOP-1", uses: 3,
            via: "cache", codeLast4: "0010", source: "scanner-1"))
        #expect(pending[1] == OutboxEvent(
            outboxID: 2, kind: .void, id: voidID, occurredAt: now + 5, clockSuspect: false, deviceSequence: 2,
            redemptionID: card, reason: "wrong item", source: "api"))
        #expect(pending[2] == OutboxEvent(
            outboxID: 4, kind: .redemption, id: single, occurredAt: now + 10, clockSuspect: false, deviceSequence: 3,
            tokenID: LedgerFixture.tokenID("SINGLE-0001").hex, campaignID: "COFFEE", shopID: "SHOP-1", uses: 1,
            via: "cache", codeLast4: "0001", source: "counterctl"))
        #expect(pending[3] == OutboxEvent(
            outboxID: 3, kind: .rejection, id: rejections[0], occurredAt: now + 9, clockSuspect: false,
            reason: "unknown_code", codeHash: unknownHash, source: "terminal"))
        #expect(pending[4] == OutboxEvent(
            outboxID: 5, kind: .rejection, id: rejections[1], occurredAt: now + 11, clockSuspect: false,
            tokenID: LedgerFixture.tokenID("SINGLE-0001").hex, campaignID: "COFFEE", reason: "already_redeemed",
            codeHash: singleHash, source: "scanner-2"))
    }

    @Test func clockSuspectIsReadFromEachKind() async throws {
        let fixture = try await LedgerFixture()
        let card = try await redeemed(fixture, "CARD-0010", at: now)
        _ = try await voided(fixture, card, at: now + 1)
        _ = try await fixture.ledger.redeem("NOT-A-CODE", source: "terminal", at: now + 2)
        _ = try await fixture.ledger.redeem("\u{1B}[A", source: "terminal", at: now + 3)
        #expect(try await fixture.ledger.pendingOutbox(limit: 10).map(\.clockSuspect) == [false, false, false, false])

        try await fixture.ledger.writer.write { db in
            try db.execute(sql: "UPDATE void SET clock_suspect = 1")
            try db.execute(sql: "UPDATE rejection SET clock_suspect = 1 WHERE code_hash IS NULL")
        }
        let pending = try await fixture.ledger.pendingOutbox(limit: 10)
        #expect(pending.map(\.clockSuspect) == [false, true, false, true])
        #expect(pending.map(\.codeHash?.count) == [nil, nil, 64, nil], "a scan that never became a code has no hash")
        #expect(pending[3].reason == "malformed")
    }

    @Test func limitTakesTheFirstEntriesInUploadOrder() async throws {
        let fixture = try await LedgerFixture()
        _ = try await fixture.ledger.redeem("NOT-A-CODE", source: "terminal", at: now)
        let a = try await redeemed(fixture, "SINGLE-0001", at: now + 1)
        let b = try await redeemed(fixture, "SINGLE-0002", at: now + 2)
        let c = try await redeemed(fixture, "CARD-0010", at: now + 3)
        let rejection = try #require(try rejectionIDs(fixture).first)

        #expect(try await fixture.ledger.pendingOutbox(limit: 2).map(\.id) == [a, b])
        #expect(try await fixture.ledger.pendingOutbox(limit: 3).map(\.id) == [a, b, c])
        #expect(try await fixture.ledger.pendingOutbox(limit: 500).map(\.id) == [a, b, c, rejection])
        #expect(try await fixture.ledger.pendingOutbox(limit: 0).isEmpty)
    }

    @Test func recordDeliveryMovesEntriesToDeliveredOrDead() async throws {
        let fixture = try await LedgerFixture()
        let a = try await redeemed(fixture, "SINGLE-0001", at: now)
        let b = try await redeemed(fixture, "SINGLE-0002", at: now + 1)
        let c = try await redeemed(fixture, "CARD-0010", at: now + 2)
        _ = try await fixture.ledger.redeem("NOT-A-CODE", source: "terminal", at: now + 3)
        let d = try #require(try rejectionIDs(fixture).first)
        #expect(try await fixture.ledger.outboxCounts()
            == OutboxCounts(pending: 4, delivered: 0, dead: 0, conflicts: 0, oldestPendingAt: now))

        try await fixture.ledger.recordDelivery([
            (eventID: a, result: .accepted),
            (eventID: b, result: .duplicate),
            (eventID: c, result: .conflict(reason: "over_redeemed")),
            (eventID: d, result: .rejected(reason: "invalid_event")),
        ], at: now + 100)

        let rows = try fixture.rows("SELECT * FROM outbox ORDER BY id")
        #expect(rows.map { $0["item_id"] as String } == [a, b, c, d])
        #expect(rows.map { $0["state"] as String } == ["delivered", "delivered", "delivered", "dead"])
        #expect(rows.map { $0["result"] as String? } == ["accepted", "duplicate", "conflict", "rejected"])
        #expect(rows.map { $0["result_reason"] as String? } == [nil, nil, "over_redeemed", "invalid_event"])
        #expect(rows.map { $0["delivered_at"] as Date? } == [Date?](repeating: now + 100, count: 4))
        #expect(rows.map { $0["attempts"] as Int } == [1, 1, 1, 1])

        #expect(try await fixture.ledger.pendingOutbox(limit: 10).isEmpty)
        #expect(try await fixture.ledger.outboxCounts()
            == OutboxCounts(pending: 0, delivered: 3, dead: 1, conflicts: 1, oldestPendingAt: nil))
        #expect(try await fixture.ledger.deadLetters(limit: 10)
            == [DeadLetter(eventID: d, kind: .rejection, reason: "invalid_event", failedAt: now + 100)])
        #expect(try await fixture.ledger.status().outboxDead == 1)
    }

    @Test func uploadFailureCountsAttemptsAndKeepsEntriesPending() async throws {
        let fixture = try await LedgerFixture()
        let a = try await redeemed(fixture, "SINGLE-0001", at: now)
        let b = try await redeemed(fixture, "SINGLE-0002", at: now + 1)

        try await fixture.ledger.recordUploadFailure(eventIDs: [a, b], error: "HTTP 503 unavailable")
        try await fixture.ledger.recordUploadFailure(eventIDs: [a], error: "timeout")

        let rows = try fixture.rows("SELECT * FROM outbox ORDER BY id")
        #expect(rows.map { $0["state"] as String } == ["pending", "pending"])
        #expect(rows.map { $0["attempts"] as Int } == [2, 1])
        #expect(rows.map { $0["last_error"] as String? } == ["timeout", "HTTP 503 unavailable"])
        #expect(rows.map { $0["result"] as String? } == [nil, nil])
        #expect(try await fixture.ledger.pendingOutbox(limit: 10).map(\.id) == [a, b])
        #expect(try await fixture.ledger.outboxCounts()
            == OutboxCounts(pending: 2, delivered: 0, dead: 0, conflicts: 0, oldestPendingAt: now))
    }

    @Test func deliveredEntriesAreNeverReturnedOrChangedAgain() async throws {
        let fixture = try await LedgerFixture()
        let a = try await redeemed(fixture, "SINGLE-0001", at: now)
        let b = try await redeemed(fixture, "SINGLE-0002", at: now + 1)

        try await fixture.ledger.recordDelivery([(eventID: a, result: .accepted)], at: now + 10)
        #expect(try await fixture.ledger.pendingOutbox(limit: 10).map(\.id) == [b])

        // A late answer or failure for a delivered entry changes nothing.
        try await fixture.ledger.recordDelivery([(eventID: a, result: .rejected(reason: "id_reused"))], at: now + 20)
        try await fixture.ledger.recordUploadFailure(eventIDs: [a], error: "late")
        try await fixture.ledger.deadLetter(eventIDs: [a], reason: "late", at: now + 30)
        let row = try #require(try fixture.rows("SELECT * FROM outbox WHERE item_id = '\(a)'").first)
        #expect(row["state"] as String == "delivered")
        #expect(row["result"] as String? == "accepted")
        #expect(row["attempts"] as Int == 1)
        #expect(row["delivered_at"] as Date? == now + 10)
        #expect(row["last_error"] as String? == nil)

        let c = try await redeemed(fixture, "CARD-0010", at: now + 40)
        #expect(try await fixture.ledger.pendingOutbox(limit: 10).map(\.id) == [b, c])
        try await fixture.ledger.recordDelivery([(eventID: b, result: .duplicate), (eventID: c, result: .accepted)],
                                                at: now + 50)
        #expect(try await fixture.ledger.pendingOutbox(limit: 10).isEmpty)
        #expect(try await fixture.ledger.outboxCounts()
            == OutboxCounts(pending: 0, delivered: 3, dead: 0, conflicts: 0, oldestPendingAt: nil))
    }

    @Test func eventsAHubRestoredFromABackupLostAreRequeuedOncePerAcknowledgedValue() async throws {
        let fixture = try await LedgerFixture()
        let a = try await redeemed(fixture, "SINGLE-0001", at: now)        // device sequence 1
        let b = try await redeemed(fixture, "SINGLE-0002", at: now + 1)    // 2
        let c = try await redeemed(fixture, "CARD-0010", at: now + 2)      // 3
        let d = try await voided(fixture, c, at: now + 3)                  // 4
        _ = try await fixture.ledger.redeem("NO-SUCH-CODE", source: "scanner-1", at: now + 4)  // a rejection: no sequence
        let rejection = try #require(try rejectionIDs(fixture).first)
        try await fixture.ledger.recordDelivery([a, b, c, d, rejection].map { (eventID: $0, result: .accepted) }, at: now + 10)

        // The hub holds everything: nothing to do.
        #expect(try await fixture.ledger.requeueUnacknowledged(above: 4) == [])
        // Restored from a backup that holds sequence 1 only: 2, 3 and the void go back to the queue, in order, and
        // are sent again (redemptions and voids before rejections, as always).
        #expect(try await fixture.ledger.requeueUnacknowledged(above: 1) == [b, c, d])
        #expect(try await fixture.ledger.pendingOutbox(limit: 10).map(\.id) == [b, c, d])
        let row = try #require(try fixture.rows("SELECT * FROM outbox WHERE item_id = '\(b)'").first)
        #expect(row["result"] as String? == nil)
        #expect((row["last_error"] as String?)?.contains("acknowledged only up to device sequence 1") == true)
        // Once per value: after the resend, the same acknowledged value (a gap the hub cannot fill) re-queues nothing.
        try await fixture.ledger.recordDelivery([b, c, d].map { (eventID: $0, result: .duplicate) }, at: now + 20)
        #expect(try await fixture.ledger.requeueUnacknowledged(above: 1) == [])
        // A second restore, to another point, re-queues what it lost.
        #expect(try await fixture.ledger.requeueUnacknowledged(above: 3) == [d])
        #expect(try await fixture.ledger.outboxCounts().pending == 1)
    }

    @Test func deadLetterGivesUpOnPendingEntries() async throws {
        let fixture = try await LedgerFixture()
        _ = try await fixture.ledger.redeem("NOT-A-CODE", source: "terminal", at: now)
        let rejection = try #require(try rejectionIDs(fixture).first)
        let a = try await redeemed(fixture, "SINGLE-0001", at: now + 1)

        try await fixture.ledger.deadLetter(eventIDs: [rejection], reason: "HTTP 400 invalid_request", at: now + 50)
        #expect(try await fixture.ledger.pendingOutbox(limit: 10).map(\.id) == [a])
        #expect(try await fixture.ledger.outboxCounts()
            == OutboxCounts(pending: 1, delivered: 0, dead: 1, conflicts: 0, oldestPendingAt: now + 1))
        let row = try #require(try fixture.rows("SELECT * FROM outbox WHERE item_id = '\(rejection)'").first)
        #expect(row["state"] as String == "dead")
        #expect(row["result"] as String? == nil, "the server never answered for it")
        #expect(row["attempts"] as Int == 1)

        try await fixture.ledger.recordDelivery([(eventID: a, result: .rejected(reason: "unknown_token"))], at: now + 60)
        let newestFirst = [
            DeadLetter(eventID: a, kind: .redemption, reason: "unknown_token", failedAt: now + 60),
            DeadLetter(eventID: rejection, kind: .rejection, reason: "HTTP 400 invalid_request", failedAt: now + 50),
        ]
        #expect(try await fixture.ledger.deadLetters(limit: 10) == newestFirst)
        #expect(try await fixture.ledger.deadLetters(limit: 1) == [newestFirst[0]])
        #expect(try await fixture.ledger.outboxCounts()
            == OutboxCounts(pending: 0, delivered: 0, dead: 2, conflicts: 0, oldestPendingAt: nil))
    }
}
