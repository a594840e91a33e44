import CounterCore
@testable import CounterLedger
import Foundation
import GRDB
import Testing

/// Issue 16, item 7: a full resync into an empty cache stages its tokens and moves them into the cache at its end
/// (Ledger+BulkLoad.swift). The cache it leaves must be the one applying each page directly leaves.
@Suite struct BulkLoadTests {
    typealias Page = FeedTests

    /// The cache as rows, for comparing two ledgers.
    func cache(_ fixture: LedgerFixture) throws -> [String] {
        try fixture.rows("""
            SELECT id, hex(code_hash) AS code_hash, campaign_id, shop_scope, uses_total, uses_server, uses_remaining,
                   valid_from, valid_until, status, origin, last_used_at, generation FROM token ORDER BY id
            """).map { $0.description }
        + fixture.rows("SELECT token_id, reason, generation FROM revocation ORDER BY token_id").map { $0.description }
    }

    func staged(_ fixture: LedgerFixture) async throws -> Int {
        try await fixture.count("SELECT COUNT(*) FROM token_load")
    }

    @Test func theTokensOfAResyncIntoAnEmptyCacheArriveAtItsEnd() async throws {
        let fixture = try await LedgerFixture(cachedTokens: false)
        let ledger = fixture.ledger
        try await ledger.apply(Page.page(position: 1, reset: true, upToDate: false, tokens: [Page.feedToken("BULK-0001")]))
        #expect(try await staged(fixture) == 1)
        #expect(try await ledger.check("BULK-0001").reason == .unknownCode, "staged, not yet in the cache")
        #expect(try await ledger.syncState().resyncInProgress)
        try await ledger.apply(Page.page(position: 2, upToDate: false, tokens: [Page.feedToken("BULK-0002", uses: 5, used: 2)]))
        try await ledger.apply(Page.page(position: 3, upToDate: true, tokens: [Page.feedToken("BULK-0003")]))
        #expect(try await staged(fixture) == 0)
        #expect(try await ledger.check("BULK-0001").reason == .ok)
        #expect(try await ledger.check("BULK-0002").usesLeft == 3)
        #expect(try await ledger.check("BULK-0003").reason == .ok)
        #expect(!(try await ledger.syncState().resyncInProgress))
        // The next resync finds a full cache and applies pages directly.
        try await ledger.apply(Page.page(position: 4, reset: true, upToDate: false, tokens: [Page.feedToken("BULK-0001")]))
        #expect(try await staged(fixture) == 0)
        #expect(try await ledger.check("BULK-0001").reason == .ok)
    }

    @Test func aLedgerReopenedDuringTheLoadContinuesIt() async throws {
        let fixture = try await LedgerFixture(cachedTokens: false)
        try await fixture.ledger.apply(Page.page(position: 1, reset: true, upToDate: false, tokens: [Page.feedToken("BULK-0001")]))
        fixture.ledger.close()
        let reopened = try Ledger(path: fixture.directory + "/ledger.sqlite", identity: LedgerFixture.identity)
        try await reopened.apply(Page.page(position: 2, upToDate: true, tokens: [Page.feedToken("BULK-0002")]))
        #expect(try await reopened.check("BULK-0001").reason == .ok)
        #expect(try await reopened.check("BULK-0002").reason == .ok)
    }

    @Test func aNewResyncDuringTheLoadDropsWhatWasStaged() async throws {
        let fixture = try await LedgerFixture(cachedTokens: false)
        let ledger = fixture.ledger
        try await ledger.apply(Page.page(position: 1, reset: true, upToDate: false, tokens: [Page.feedToken("BULK-0001")]))
        try await ledger.apply(Page.page(position: 2, reset: true, upToDate: false, tokens: [Page.feedToken("BULK-0002")]))
        try await ledger.apply(Page.page(position: 3, upToDate: true))
        #expect(try await ledger.check("BULK-0001").reason == .unknownCode, "the second resync did not send it")
        #expect(try await ledger.check("BULK-0002").reason == .ok)
    }

    /// Random resyncs of a small pool of codes (re-sent, tombstoned and brought back, revoked and lifted, a code hash
    /// moving to another token, a signed code redeemed during the load) leave the same cache through the bulk load
    /// as through the direct upserts.
    @Test(arguments: 0..<40)
    func theBulkLoadLeavesTheCacheTheDirectPathLeaves(seed: Int) async throws {
        var random = SplitMix(seed: UInt64(seed))
        let bulk = try await LedgerFixture(cachedTokens: false)
        let direct = try await LedgerFixture()
        let codes = (0..<8).map { String(format: "POOL-%04d", $0) }
        let signed = LedgerFixture.signedCode(token: 0x55, uses: 3)
        let pageCount = 2 + Int(random.next() % 5)
        let redeemAt = Int(random.next() % UInt64(pageCount))
        var accepted: [Bool] = []
        for index in 0..<pageCount {
            var tokens: [FeedPageUpdate.FeedToken] = []
            var tombstones: [TokenID] = []
            var revocations: [Revocation] = []
            for code in codes {
                switch random.next() % 6 {
                case 0:
                    let uses = 1 + Int(random.next() % 4)
                    var entry = Page.feedToken(code, uses: uses, used: Int(random.next() % UInt64(uses + 1)),
                                               status: random.next() % 4 == 0 ? .revoked : .active)
                    // Now and then another token holds the code (a code reused at the hub).
                    if random.next() % 5 == 0 { entry.token.id = TokenID(bytes: [UInt8](repeating: UInt8(0x10 + index), count: 16))! }
                    // Now and then the hub sends the token of the signed code this counter redeems during the load.
                    if random.next() % 4 == 0 {
                        entry.token.id = TokenID(bytes: [UInt8](repeating: 0x55, count: 16))!
                        entry.token.usesTotal = 3
                        entry.usesUsed = min(entry.usesUsed, 3)
                    }
                    if !tokens.contains(where: { $0.token.id == entry.token.id }) { tokens.append(entry) }
                case 1:
                    tombstones.append(LedgerFixture.tokenID(code))
                case 2:
                    revocations.append(Revocation(tokenID: LedgerFixture.tokenID(code), reason: "r\(index)", revokedAt: LedgerFixture.now))
                default:
                    break
                }
            }
            tombstones.removeAll { id in tokens.contains { $0.token.id == id } }
            let page = Page.page(position: Int64(index + 1), reset: index == 0, upToDate: index == pageCount - 1,
                                 tokens: tokens, tombstones: tombstones, revocations: revocations)
            for fixture in [bulk, direct] {
                try await fixture.ledger.apply(page)
                if index == redeemAt { accepted.append(try await fixture.ledger.redeem(signed, source: "a", at: LedgerFixture.now).isAccepted) }
            }
            if index == 0, pageCount > 1 { #expect(try await staged(bulk) == tokens.count, "seed \(seed): the bulk ledger stages") }
        }
        var (bulkCache, directCache) = (try cache(bulk), try cache(direct))
        if accepted[0] != accepted[1] {
            // The staged rows are not in the cache during the load: the signed code's redemption may be accepted there
            // from its claims and refused by the direct ledger (its token already spent). Only its token differs.
            #expect(accepted == [true, false], "seed \(seed)")
            bulkCache.removeAll { $0.contains("55555555555555555555555555555555") }
            directCache.removeAll { $0.contains("55555555555555555555555555555555") }
        }
        #expect(bulkCache == directCache,
                "seed \(seed): bulk only \(bulkCache.filter { !directCache.contains($0) }), direct only \(directCache.filter { !bulkCache.contains($0) })")
        #expect(try await staged(bulk) == 0)
    }
}

/// A small deterministic generator, so a failing seed can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
