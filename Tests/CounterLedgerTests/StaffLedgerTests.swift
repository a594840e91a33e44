import CounterCore
@testable import CounterLedger
import Foundation
import Testing

/// The shop's staff in the ledger (issue 17): applied from feed pages, swept at the end of a resync, PIN lock-outs,
/// and who made each event.
@Suite struct StaffLedgerTests {
    static func member(_ id: String, enabled: Bool = true, role: StaffRole = .cashier) -> StaffMember {
        StaffMember(id: id, name: "名 \(id)", role: role, enabled: enabled,
                    pinVerifier: PINVerifier(kdf: PINVerifier.pbkdf2SHA256, iterations: PINVerifier.iterationRange.lowerBound,
                                             salt: Data(repeating: 1, count: 16), hash: Data(repeating: 2, count: 32)))
    }

    static func page(position: Int64, reset: Bool = false, upToDate: Bool = true, staff: [StaffMember]?) -> FeedPageUpdate {
        var page = FeedTests.page(position: position, reset: reset, upToDate: upToDate)
        page.staff = staff
        return page
    }

    @Test func staffAreSavedWholeAndAResyncSweepsThoseNotSentAgain() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        #expect(try await !ledger.hasStaffWhoCanSignIn())
        try await ledger.apply(Self.page(position: 10, reset: true, staff: [Self.member("a"), Self.member("b", role: .manager)]))
        #expect(try await ledger.staffMembers().map(\.id) == ["a", "b"])
        #expect(try await ledger.staffMember(id: "b") == Self.member("b", role: .manager))
        #expect(try await ledger.hasStaffWhoCanSignIn())

        // A page from a hub that sends no staff changes nothing; a member sent again replaces the row.
        try await ledger.apply(Self.page(position: 11, staff: nil))
        try await ledger.apply(Self.page(position: 12, staff: [Self.member("a", enabled: false)]))
        #expect(try await ledger.staffMember(id: "a")?.enabled == false)

        // A resync over two pages sends only b: a is gone at its end, not before.
        try await ledger.apply(Self.page(position: 20, reset: true, upToDate: false, staff: [Self.member("b")]))
        #expect(try await ledger.staffMembers().count == 2)
        try await ledger.apply(Self.page(position: 21, staff: []))
        #expect(try await ledger.staffMembers().map(\.id) == ["b"])

        // A member without a PIN cannot sign in, so does not count; once every member is disabled the shop needs
        // nobody signed in.
        var withoutPIN = Self.member("c")
        withoutPIN.pinVerifier = nil
        try await ledger.apply(Self.page(position: 22, staff: [withoutPIN]))
        #expect(try await ledger.hasStaffWhoCanSignIn())
        try await ledger.apply(Self.page(position: 23, staff: [Self.member("b", enabled: false)]))
        #expect(try await !ledger.hasStaffWhoCanSignIn())
    }

    @Test func aPageNamingAMemberTwiceIsRefusedWhole() async throws {
        let fixture = try await LedgerFixture()
        try await fixture.ledger.apply(Self.page(position: 10, reset: true, staff: []))
        await #expect(throws: FeedPageRejected.self) {
            try await fixture.ledger.apply(Self.page(position: 11, staff: [Self.member("a"), Self.member("a", enabled: false)]))
        }
        #expect(try await fixture.ledger.staffMembers().isEmpty)
    }

    @Test func theFifthWrongPINInARowLocksAndACorrectOneClears() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let now = LedgerFixture.now
        for count in 1...4 {
            #expect(try await ledger.recordWrongPIN(id: "a", limit: 5, lockDuration: 300, at: now) == StaffLock(failures: count, lockedUntil: nil))
        }
        #expect(try await ledger.recordWrongPIN(id: "a", limit: 5, lockDuration: 300, at: now)
                == StaffLock(failures: 0, lockedUntil: now.addingTimeInterval(300)))
        #expect(try await ledger.staffLock(id: "a").lockedUntil == now.addingTimeInterval(300))
        #expect(try await ledger.staffLock(id: "b") == StaffLock(failures: 0, lockedUntil: nil))
        _ = try await ledger.endPINCheck(id: "a", correct: true, limit: 5, lockDuration: 300, at: now)
        #expect(try await ledger.staffLock(id: "a") == StaffLock(failures: 0, lockedUntil: nil))
    }

    @Test func eachEventRecordsItsStaffMemberAndUploadsIt() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.apply(FeedTests.page(position: 10, reset: true, tokens: [FeedTests.feedToken("STAFF-CODE-1")]))
        let verdict = try await ledger.redeem("STAFF-CODE-1", source: "pos", staffID: "a", at: LedgerFixture.now)
        #expect(verdict.reason == .ok)
        _ = try await ledger.redeem("STAFF-CODE-1", source: "pos", staffID: "b", at: LedgerFixture.now)
        let refused = try await ledger.refuseWithoutStaff("STAFF-CODE-1", source: "usb", at: LedgerFixture.now)
        #expect(refused.reason == .noStaff)
        let id = try #require(verdict.redemption?.id)
        _ = try await ledger.void(redemptionID: id, source: "pos", staffID: "m", window: 600, at: LedgerFixture.now.addingTimeInterval(5))
        let events = try await ledger.pendingOutbox(limit: 10)
        #expect(events.first { $0.kind == .redemption }?.staffID == "a")
        #expect(events.first { $0.kind == .void }?.staffID == "m")
        let rejections = events.filter { $0.kind == .rejection }
        #expect(rejections.map(\.reason) == ["already_redeemed", "no_staff"])
        #expect(rejections.map(\.staffID) == ["b", nil])
        #expect(rejections.last?.codeHash != nil, "a no_staff refusal keeps the code's hash, never the code")
    }

    @Test func anAuthorityLimitsTheOwnerAndTheBusinessDay() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        try await ledger.apply(FeedTests.page(position: 10, reset: true,
                                              tokens: [FeedTests.feedToken("DAY-CODE-1"), FeedTests.feedToken("DAY-CODE-2")]))
        // 2026-11-22 23:50 in Shanghai.
        let late = Date(timeIntervalSince1970: 1_795_362_600)
        let first = try #require(try await ledger.redeem("DAY-CODE-1", source: "pos", staffID: "a", at: late).redemption?.id)
        let second = try #require(try await ledger.redeem("DAY-CODE-2", source: "pos", staffID: "a", at: late).redemption?.id)
        // Another member's: not_yours, nothing recorded.
        let notYours = try await ledger.void(redemptionID: first, source: "pos", authority: .init(window: 600, owner: "b", staffID: "b"),
                                             at: late.addingTimeInterval(60))
        #expect(notYours.status == .notYours)
        // The manager's window is long, but the business day ended at midnight.
        let nextDay = try await ledger.void(redemptionID: first, source: "pos",
                                            authority: .init(window: 86_400, businessDay: zone, staffID: "m"),
                                            at: late.addingTimeInterval(20 * 60))
        #expect(nextDay.status == .windowClosed)
        let sameDay = try await ledger.void(redemptionID: second, source: "pos",
                                            authority: .init(window: 86_400, businessDay: zone, staffID: "a", approvedBy: "m"),
                                            at: late.addingTimeInterval(5 * 60))
        #expect(sameDay.status == .voided)
        let voids = try await ledger.pendingOutbox(limit: 10).filter { $0.kind == .void }
        #expect(voids.map(\.staffID) == ["a"])
        #expect(voids.map(\.approvedBy) == ["m"])
        #expect(try await ledger.receiptFacts(redemptionID: second.lowercasedString)?.staffName == "a", "an unknown member shows by id")
    }
}
