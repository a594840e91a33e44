import CounterCore
@testable import CounterLedger
import Crypto
import Foundation
import GRDB
import Testing

@Suite struct FeedTests {
    static let root = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x42, count: 32))

    static func keySet(version: Int) -> KeySet {
        KeySet(version: version, issuedAt: LedgerFixture.now, keys: [
            KeySet.Key(keyId: 1, publicKey: Hex.encode(LedgerFixture.key.publicKey.rawRepresentation),
                       notBefore: LedgerFixture.now - 86_400, signUntil: LedgerFixture.now + 86_400, verifyUntil: nil),
        ])
    }

    static func page(position: Int64, reset: Bool = false, upToDate: Bool = true, watermark: Int64 = 0,
                     shop: String = "SHOP-1", keySet: KeySet? = nil, campaigns: [Campaign] = [LedgerFixture.coffee],
                     tokens: [FeedPageUpdate.FeedToken] = [], tombstones: [TokenID] = [],
                     revocations: [Revocation] = []) -> FeedPageUpdate {
        FeedPageUpdate(position: position, nextCursor: "cursor-\(position)", reset: reset, upToDate: upToDate,
                       serverTime: LedgerFixture.now, maxDataAge: 3 * 86_400, watermark: watermark,
                       shop: .init(id: shop, name: "东门 East Gate", timeZone: "Asia/Shanghai"),
                       campaigns: campaigns, tokens: tokens, tombstones: tombstones, revocations: revocations,
                       keySet: reset ? (keySet ?? Self.keySet(version: 1)) : keySet)
    }

    static func feedToken(_ code: String, uses: Int = 1, used: Int = 0, status: Token.Status = .active) -> FeedPageUpdate.FeedToken {
        var token = LedgerFixture.token(code, uses: uses)
        token.status = status
        return FeedPageUpdate.FeedToken(token: token, usesUsed: used, lastUse: nil)
    }

    @Test func firstFullSyncFillsTheCacheAndStoresTheCursor() async throws {
        let fixture = try await LedgerFixture()
        try await fixture.ledger.apply(Self.page(position: 10, reset: true, tokens: [Self.feedToken("NEW-CODE-1")]))
        #expect(try await fixture.ledger.redeem("NEW-CODE-1", source: "a", at: LedgerFixture.now).reason == .ok)
        let state = try await fixture.ledger.syncState()
        #expect(state.cursor == "cursor-10")
        #expect(state.position == 10)
        #expect(state.keySetVersion == 1)
        #expect(state.shopName == "东门 East Gate")
        #expect(state.lastCompleteSyncAt != nil)
        #expect(!state.resyncInProgress)
    }

    @Test func aPageGoingBackwardsIsRejectedWholeAndChangesNothing() async throws {
        let fixture = try await LedgerFixture()
        try await fixture.ledger.apply(Self.page(position: 10, reset: true))
        await #expect(throws: FeedPageRejected.self) {
            try await fixture.ledger.apply(Self.page(position: 9, tokens: [Self.feedToken("LATE-CODE")]))
        }
        #expect(try await fixture.ledger.check("LATE-CODE").reason == .unknownCode)
        #expect(try await fixture.ledger.syncState().cursor == "cursor-10")
        // Equal positions are normal.
        try await fixture.ledger.apply(Self.page(position: 10, tokens: [Self.feedToken("LATE-CODE")]))
        #expect(try await fixture.ledger.check("LATE-CODE").reason == .ok)
    }

    @Test func hostilePagesAreRejected() async throws {
        let fixture = try await LedgerFixture()
        try await fixture.ledger.apply(Self.page(position: 5, reset: true, keySet: Self.keySet(version: 3)))
        let bad: [FeedPageUpdate] = [
            Self.page(position: 6, shop: "SHOP-2"),
            Self.page(position: 6, keySet: Self.keySet(version: 2)),
            Self.page(position: 6, tokens: [Self.feedToken("TWICE"), Self.feedToken("TWICE")]),
            Self.page(position: 6, tokens: [Self.feedToken("BOTH")], tombstones: [LedgerFixture.tokenID("BOTH")]),
            { var page = Self.page(position: 6, reset: true); page.keySet = nil; return page }(),
        ]
        for page in bad {
            await #expect(throws: FeedPageRejected.self) { try await fixture.ledger.apply(page) }
        }
        #expect(try await fixture.ledger.syncState().position == 5)
        #expect(try await fixture.ledger.syncState().keySetVersion == 3)
    }

    @Test func newerKeySetReplacesTheKeys() async throws {
        let fixture = try await LedgerFixture()
        let other = try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 8, count: 32))
        var next = Self.keySet(version: 2)
        next.keys = [KeySet.Key(keyId: 2, publicKey: Hex.encode(other.publicKey.rawRepresentation),
                                notBefore: LedgerFixture.now, signUntil: LedgerFixture.now + 1, verifyUntil: nil)]
        try await fixture.ledger.apply(Self.page(position: 1, reset: true, keySet: next))
        // Key 1 (which signed LedgerFixture.signedCode) is gone.
        #expect(try await fixture.ledger.check(LedgerFixture.signedCode()).reason == .unknownKey)
    }

    @Test func remainingUsesFollowTheWatermark() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        // This device: seq 1 redeems 1 use, seq 2 redeems 2 uses, seq 3 voids seq 1.
        let first = try await ledger.redeem("CARD-0010", source: "a", at: LedgerFixture.now)
        _ = try await ledger.redeem("CARD-0010", uses: 2, source: "a", at: LedgerFixture.now)
        _ = try await ledger.void(redemptionID: first.redemption!.id, source: "a", window: 600, at: LedgerFixture.now)

        // The server has counted 3 uses from other devices and none of ours: 10 - 3 - (3 - 1) = 5.
        try await ledger.apply(Self.page(position: 1, reset: true, watermark: 0,
                                         tokens: [Self.feedToken("CARD-0010", uses: 10, used: 3)]))
        #expect(try await ledger.check("CARD-0010").usesLeft == 5)
        // Now it has our first two redemptions too (3 + 1 + 2 = 6), not the void: 10 - 6 - (0 - 1) = 5.
        try await ledger.apply(Self.page(position: 2, watermark: 2, tokens: [Self.feedToken("CARD-0010", uses: 10, used: 6)]))
        #expect(try await ledger.check("CARD-0010").usesLeft == 5)
        // And the void: 10 - 5 = 5.
        try await ledger.apply(Self.page(position: 3, watermark: 3, tokens: [Self.feedToken("CARD-0010", uses: 10, used: 5)]))
        #expect(try await ledger.check("CARD-0010").usesLeft == 5)
        // Conflicting offline redemptions elsewhere can push the count past the total: clamp at 0.
        try await ledger.apply(Self.page(position: 4, watermark: 3, tokens: [Self.feedToken("CARD-0010", uses: 10, used: 12)]))
        #expect(try await ledger.redeem("CARD-0010", source: "a").reason == .alreadyRedeemed)
        #expect(try await fixture.count("SELECT server_watermark FROM device_state") == 3)
    }

    @Test func revocationsTombstonesAndReactivation() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let id = LedgerFixture.tokenID("SINGLE-0001")
        try await ledger.apply(Self.page(position: 1, reset: true, tokens: [Self.feedToken("SINGLE-0001")],
                                         revocations: [Revocation(tokenID: id, reason: "refund", revokedAt: LedgerFixture.now)]))
        #expect(try await ledger.check("SINGLE-0001").reason == .revoked)
        try await ledger.apply(Self.page(position: 2, tokens: [Self.feedToken("SINGLE-0001")]))
        #expect(try await ledger.check("SINGLE-0001").reason == .ok, "an active token lifts the revocation")
        try await ledger.apply(Self.page(position: 3, tombstones: [id]))
        #expect(try await ledger.check("SINGLE-0001").reason == .unknownCode)
    }

    @Test func revocationOfASignedCodeNeverCached() async throws {
        let fixture = try await LedgerFixture()
        let revoked = TokenID(bytes: [UInt8](repeating: 0x77, count: 16))!
        try await fixture.ledger.apply(Self.page(position: 1, reset: true,
                                                 revocations: [Revocation(tokenID: revoked, reason: "fraud", revokedAt: LedgerFixture.now)]))
        #expect(try await fixture.ledger.redeem(LedgerFixture.signedCode(token: 0x77), source: "a").reason == .revoked)
    }

    @Test func fullResyncSweepsOnlyAtUpToDateAndKeepsLocallyLearnedSignedTokens() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        try await ledger.apply(Self.page(position: 1, reset: true, tokens: [Self.feedToken("OLD-1"), Self.feedToken("KEEP-1")]))
        _ = try await ledger.redeem(LedgerFixture.signedCode(token: 0x55, uses: 3), source: "a")

        try await ledger.apply(Self.page(position: 2, reset: true, upToDate: false, tokens: [Self.feedToken("KEEP-1")]))
        #expect(try await ledger.syncState().resyncInProgress)
        #expect(try await ledger.check("OLD-1").reason == .ok, "the old cache serves during the resync")

        try await ledger.apply(Self.page(position: 3, upToDate: true))
        #expect(!(try await ledger.syncState().resyncInProgress))
        #expect(try await ledger.check("OLD-1").reason == .unknownCode)
        #expect(try await ledger.check("KEEP-1").reason == .ok)
        #expect(try await ledger.check(LedgerFixture.signedCode(token: 0x55, uses: 3)).usesLeft == 2,
                "uses of a signed code learned offline are not forgotten")
    }

    /// Issue 15, item 7: a tombstone of a token redeemed here through its signed code must not let the code
    /// come back with all its uses at the next scan.
    @Test func aTombstoneKeepsASpentMarkerOfATokenRedeemedHere() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let code = LedgerFixture.signedCode(token: 0x66, uses: 3)
        try await ledger.apply(Self.page(position: 1, reset: true))
        #expect(try await ledger.redeem(code, source: "a").reason == .ok)
        try await ledger.apply(Self.page(position: 2, tombstones: [TokenID(bytes: [UInt8](repeating: 0x66, count: 16))!]))
        let again = try await ledger.redeem(code, source: "a")
        #expect(!again.isAccepted, "the tombstoned token stays spent: \(again.reason)")
        // A full resync that does not send it keeps the marker too.
        try await ledger.apply(Self.page(position: 3, reset: true))
        #expect(!(try await ledger.redeem(code, source: "a").isAccepted))
        #expect(try await fixture.count("SELECT COUNT(*) FROM redemption") == 1)
        // A token never redeemed here is deleted as before.
        try await ledger.apply(Self.page(position: 4, tokens: [Self.feedToken("GONE-1")]))
        try await ledger.apply(Self.page(position: 5, tombstones: [LedgerFixture.tokenID("GONE-1")]))
        #expect(try await ledger.check("GONE-1").reason == .unknownCode)
    }

    /// Issue 15, item 2: numbers out of the contract's range are refused before anything computes with them.
    @Test(arguments: [
        FeedTests.page(position: 1, reset: true).with(\.maxDataAge, Double(Int64.max - 100)),
        FeedTests.page(position: 1, reset: true).with(\.maxDataAge, .infinity),
        FeedTests.page(position: 1, reset: true).with(\.maxDataAge, .nan),
        FeedTests.page(position: Int64.max, reset: true),
        FeedTests.page(position: 1, reset: true, watermark: -1),
        FeedTests.page(position: 1, reset: true, tokens: [FeedTests.feedToken("BIG-1", uses: Int.max)]),
        FeedTests.page(position: 1, reset: true, tokens: [FeedTests.feedToken("BIG-1", uses: 5, used: Int.max)]),
        FeedTests.page(position: 1, reset: true, tokens: [FeedTests.feedToken("BIG-1", uses: 5, used: -1)]),
    ])
    func numbersOutOfRangeAreRefused(page: FeedPageUpdate) async throws {
        let fixture = try await LedgerFixture()
        await #expect(throws: FeedPageRejected.self) { try await fixture.ledger.apply(page) }
        #expect(try await fixture.ledger.syncState().position == 0)
    }

    /// Issue 15, item 13: a clock set back while offline must not let an expired code pass unflagged.
    @Test func aClockSetBackJudgesCodesAtTheHighWaterTimeAndFlagsEvents() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        var expiring = Self.feedToken("EXPIRES-1")
        expiring.token.validUntil = LedgerFixture.now - 3600
        var valid = Self.feedToken("VALID-1")
        valid.token.validUntil = LedgerFixture.now + 86_400
        try await ledger.apply(Self.page(position: 1, reset: true, tokens: [expiring, valid, Self.feedToken("OK-1")]))   // hub time: LedgerFixture.now
        #expect(try await ledger.clockHighWater() == LedgerFixture.now)
        let setBack = LedgerFixture.now - 3 * 86_400
        #expect(try await ledger.redeem("EXPIRES-1", source: "a", at: setBack).reason == .expired,
                "judged at the latest time seen, not at the clock set back three days")
        #expect(try await ledger.redeem("VALID-1", source: "a", at: setBack).reason == .ok, "service continues")
        #expect(try await fixture.count("SELECT COUNT(*) FROM redemption WHERE clock_suspect = 1") == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM rejection WHERE clock_suspect = 1") == 1)
        // A clock inside the tolerance is trusted as before.
        #expect(try await ledger.check("OK-1", at: LedgerFixture.now - 3600).reason == .ok)
        // An event raises the mark; a later hub page sets it to the hub's time.
        #expect(try await ledger.redeem("OK-1", source: "a", at: LedgerFixture.now + 600).reason == .ok)
        #expect(try await ledger.clockHighWater() == LedgerFixture.now + 600)
    }

    @Test func aReusedCodeHashMovesToTheNewestToken() async throws {
        let fixture = try await LedgerFixture()
        var newer = Self.feedToken("SINGLE-0001")
        newer.token.id = TokenID(bytes: [UInt8](repeating: 0x99, count: 16))!
        try await fixture.ledger.apply(Self.page(position: 1, reset: true, upToDate: false, tokens: [Self.feedToken("SINGLE-0001")]))
        try await fixture.ledger.apply(Self.page(position: 2, upToDate: true, tokens: [newer]))
        #expect(try await fixture.ledger.check("SINGLE-0001").tokenID == newer.token.id)
    }
}

@Suite struct ClockTests {
    @Test func eventsAreFlaggedWhileTheClockIsOffByMoreThanTwoHours() async throws {
        let fixture = try await LedgerFixture()
        _ = try await fixture.ledger.redeem("SINGLE-0001", source: "a")
        // Not a reset: the fixture's cached codes stay.
        var page = FeedTests.page(position: 1)
        page.serverTime = Date().addingTimeInterval(3 * 3600)
        try await fixture.ledger.apply(page)
        #expect(try await fixture.ledger.syncState().serverTimeOffset! > 3 * 3600 - 60)
        let late = try await fixture.ledger.redeem("SINGLE-0002", source: "a")
        _ = try await fixture.ledger.redeem("unknown", source: "a")
        _ = try await fixture.ledger.void(redemptionID: late.redemption!.id, source: "a", window: 600)
        #expect(try await fixture.count("SELECT COUNT(*) FROM redemption WHERE clock_suspect") == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM rejection WHERE clock_suspect") == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM void WHERE clock_suspect") == 1)
        let pending = try await fixture.ledger.pendingOutbox(limit: 10)
        #expect(pending.filter(\.clockSuspect).count == 3)
    }
}

extension FeedPageUpdate {
    /// This page with one field changed.
    func with<Value>(_ path: WritableKeyPath<FeedPageUpdate, Value>, _ value: Value) -> FeedPageUpdate {
        var copy = self
        copy[keyPath: path] = value
        return copy
    }
}
