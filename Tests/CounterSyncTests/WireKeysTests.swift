import CounterCore
import CounterSyncModels
import Foundation
import Testing

/// The feed page spells its keys as they travel (WireLiteralKeys): its JSON must be byte for byte what the converting
/// encoder wrote before, and read back whole.
@Suite struct WireKeysTests {
    static let page = FeedPage(
        serverTime: Date(timeIntervalSince1970: 1_790_000_000.125), cursor: nil, nextCursor: "c1", position: 7, upToDate: false,
        reset: true, maxDataAgeSeconds: 86_400, watermark: .init(deviceSequence: 3),
        shop: .init(id: "SHOP-1", name: "东门", timeZone: "Asia/Shanghai"),
        campaigns: [.init(id: "C", title: "T", product: "P", faceValueFen: 1800, shopRewardFen: 200,
                          activeFrom: Date(timeIntervalSince1970: 1_700_000_000), activeUntil: nil, offlinePolicy: "allow_signed",
                          status: "active")],
        tokens: [.init(tokenId: "ab", codeHash: "cd", campaignId: "C", shopIds: ["SHOP-1"], usesTotal: 3, usesUsed: 1,
                       validFrom: nil, validUntil: Date(timeIntervalSince1970: 1_800_000_000), status: "active",
                       lastUse: .init(at: Date(timeIntervalSince1970: 1_790_000_000), shopId: "SHOP-2", deviceId: "dev-2"))],
        tombstones: ["ef"], revocations: [.init(tokenId: "ab", reason: "fraud", revokedAt: Date(timeIntervalSince1970: 1_790_000_001))],
        keySet: .init(payload: "cA==", signature: "cw=="), liveFeedMaxWaitSeconds: 25)

    @Test func literalKeysWriteTheSameJSONAsTheConvertingEncoder() throws {
        let literal = try WireJSON.encoder(for: FeedPage.self).encode(Self.page)
        let converted = try WireJSON.encoder().encode(Self.page)
        #expect(literal == converted)
        let text = String(decoding: literal, as: UTF8.self)
        for key in ["server_time", "next_cursor", "up_to_date", "max_data_age_seconds", "device_sequence", "time_zone",
                    "face_value_fen", "shop_reward_fen", "active_from", "offline_policy", "token_id", "code_hash", "campaign_id",
                    "shop_ids", "uses_total", "uses_used", "valid_until", "last_use", "shop_id", "device_id", "revoked_at",
                    "key_set", "live_feed_max_wait_seconds"] {
            #expect(text.contains("\"\(key)\""), "\(key)")
        }
        #expect(try WireJSON.decoder(for: FeedPage.self).decode(FeedPage.self, from: literal) == Self.page)
    }

    @Test func otherTypesKeepTheConvertingCoders() throws {
        let body = EnrollRequest(enrollmentCode: "X", deviceName: "till")
        let data = try WireJSON.encoder(for: EnrollRequest.self).encode(body)
        #expect(String(decoding: data, as: UTF8.self).contains("\"enrollment_code\""))
        #expect(try WireJSON.decoder(for: EnrollRequest.self).decode(EnrollRequest.self, from: data) == body)
    }
}
