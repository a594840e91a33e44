import CounterCore
@testable import CounterHub
import CounterSyncModels
import Foundation
import Testing

/// What each counter holds (issue 16, item 7): a campaign whose token feed is `exceptions` sends counters only the
/// tokens a signature cannot speak for.
@Suite struct TokenFeedTests {
    /// Every page of a device's feed from scratch until up to date: (token ids, revoked ids, campaign ids).
    func fullFeed(_ store: HubStore, _ device: HubDevice) throws -> (tokens: [String: Int], revoked: Set<String>, campaigns: Set<String>) {
        var cursor: String?
        var tokens: [String: Int] = [:]
        var revoked: Set<String> = []
        var campaigns: Set<String> = []
        while true {
            let page = try store.feedPage(for: device, cursor: cursor, limit: 2)
            for token in page.tokens { tokens[token.tokenId] = token.usesUsed }
            revoked.formUnion(page.revocations.map(\.tokenId))
            campaigns.formUnion(page.campaigns.map(\.id))
            cursor = page.nextCursor
            if page.upToDate { return (tokens, revoked, campaigns) }
        }
    }

    @Test func anExceptionsCampaignSendsOnlyRevokedAndUsedTokens() throws {
        let hub = try Hub()
        try hub.store.createCampaign(CampaignSpec(id: "PLATFORM", title: "Platform", product: "Tea", faceValueFen: 1000,
                                                  shopRewardFen: 100, uses: 2, shopIDs: [], validDays: nil, activeFrom: nil,
                                                  activeUntil: nil, offlinePolicy: .allowSigned, tokenFeed: .exceptions))
        let platform = try hub.store.issueTokens(campaign: "PLATFORM", count: 5)
        try hub.store.seedTokens(campaign: "PLATFORM", codes: ["SEEDED-0001", "SEEDED-0002"])
        let other = try hub.store.enroll(code: try hub.store.makeEnrollmentCode(shop: "SHOP-2"), deviceName: "west").device

        // Untouched: the campaign reaches the counter, none of its tokens do; the `all` campaign's tokens all do.
        var feed = try fullFeed(hub.store, other)
        #expect(feed.campaigns == ["COFFEE", "PLATFORM"])
        #expect(Set(feed.tokens.keys) == Set(hub.issued.map(\.tokenId)))

        // A revocation and a use reach every counter, with the use count; the other tokens stay out.
        try hub.store.revokeToken(platform[0].tokenId, reason: "refund")
        let use = EventsRequest.Event(type: "redemption", id: UUIDv7.make().lowercasedString, occurredAt: Date(), clockSuspect: false,
                                      deviceSequence: 1, tokenId: platform[1].tokenId, campaignId: "PLATFORM",
                                      shopId: hub.device.shopID, uses: 1, via: "signed", codeLast4: "0000", source: "test")
        let response = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [use]), from: hub.device)
        #expect(response.results.map(\.status) == ["accepted"])
        feed = try fullFeed(hub.store, other)
        #expect(feed.revoked == [platform[0].tokenId])
        #expect(feed.tokens[platform[1].tokenId] == 1)
        #expect(Set(feed.tokens.keys) == Set(hub.issued.map(\.tokenId) + [platform[0].tokenId, platform[1].tokenId]))

        // A counter already up to date gets exactly the change, on its next page.
        let upToDate = try hub.store.feedPage(for: other, cursor: nil, limit: 1000)
        try hub.store.revokeToken(platform[2].tokenId, reason: "fraud")
        let next = try hub.store.feedPage(for: other, cursor: upToDate.nextCursor, limit: 1000)
        #expect(!next.reset)
        #expect(next.tokens.map(\.tokenId) == [platform[2].tokenId])
    }

    @Test func exceptionsNeedsSignedCodesToWorkOffline() throws {
        let hub = try Hub()
        #expect(throws: HubError.self) {
            try hub.store.createCampaign(CampaignSpec(id: "CACHED", title: "Cached", product: "Tea", faceValueFen: 1000,
                                                      shopRewardFen: nil, uses: 1, shopIDs: [], validDays: nil, activeFrom: nil,
                                                      activeUntil: nil, offlinePolicy: .cacheOnly, tokenFeed: .exceptions))
        }
    }

    /// Tokens are found per shop through their shop key: one shop, any shop, several shops (by their list).
    @Test func eachShopSeesItsOwnAnyShopAndSeveralShopTokensOnly() throws {
        let hub = try Hub()  // COFFEE: any shop
        try hub.store.createShop(id: "SHOP-3", name: "北门")
        for (id, shops) in [("EAST", ["SHOP-1"]), ("WEST", ["SHOP-2"]), ("BOTH", ["SHOP-1", "SHOP-3"])] {
            try hub.store.createCampaign(CampaignSpec(id: id, title: id, product: "Tea", faceValueFen: 1000, shopRewardFen: nil,
                                                      uses: 1, shopIDs: shops, validDays: nil, activeFrom: nil, activeUntil: nil,
                                                      offlinePolicy: .allowSigned))
        }
        let east = try hub.store.issueTokens(campaign: "EAST", count: 2).map(\.tokenId)
        let west = try hub.store.issueTokens(campaign: "WEST", count: 2).map(\.tokenId)
        let both = try hub.store.issueTokens(campaign: "BOTH", count: 2).map(\.tokenId)
        let anyShop = hub.issued.map(\.tokenId)
        let third = try hub.store.enroll(code: try hub.store.makeEnrollmentCode(shop: "SHOP-3"), deviceName: "north").device
        #expect(Set(try fullFeed(hub.store, hub.device).tokens.keys) == Set(anyShop + east + both))
        #expect(Set(try fullFeed(hub.store, third).tokens.keys) == Set(anyShop + both))
        // After the cursor too: a change of another shop is not sent, one of this shop is.
        let upToDate = try hub.store.feedPage(for: third, cursor: nil, limit: 1000)
        try hub.store.revokeToken(west[0], reason: "refund")
        try hub.store.revokeToken(both[1], reason: "refund")
        let next = try hub.store.feedPage(for: third, cursor: upToDate.nextCursor, limit: 1000)
        #expect(next.tokens.map(\.tokenId) == [both[1]])
    }
}
