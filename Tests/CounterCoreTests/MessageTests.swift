import CounterCore
import Foundation
import Testing

@Suite struct MessageTests {
    let zone = TimeZone(identifier: "Asia/Shanghai")!

    @Test func everyReasonHasItsOwnMessageInBothLanguages() {
        var seen = Set<String>()
        for reason in VerdictReason.allCases {
            let message = Verdict(reason: reason, campaign: Fixture.campaign, usesLeft: 0).message(in: zone)
            #expect(!message.zh.isEmpty && !message.en.isEmpty, "\(reason)")
            #expect(message.zh.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF }, "\(reason) zh has Chinese")
            #expect(!message.en.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF } || reason == .ok
                    || reason == .campaignInactive, "\(reason) en is English")
            #expect(seen.insert(message.en).inserted, "\(reason) en message is shared with another reason")
        }
    }

    @Test func reasonCodesAreStable() {
        #expect(VerdictReason.allCases.map(\.rawValue) == [
            "ok", "malformed", "unknown_code", "bad_signature", "unknown_key", "revoked", "campaign_inactive",
            "wrong_shop", "not_yet_valid", "expired", "already_redeemed", "offline_not_allowed", "no_staff", "training_only", "training_code",
        ])
    }

    @Test func windowMessagesShowShopLocalTime() {
        let until = Date(timeIntervalSince1970: 1_790_000_000) // 2026-09-21 14:13:20 UTC
        let message = Verdict(reason: .expired, validUntil: until).message(in: zone)
        #expect(message.zh.contains("2026-09-21 22:13"))
        #expect(message.en.contains("2026-09-21 22:13"))
    }

    @Test func notEnoughUsesSaysHowManyAreLeft() {
        let message = Verdict(reason: .alreadyRedeemed, usesLeft: 2, usesRequested: 3).message(in: zone)
        #expect(message.zh.contains("剩 2 次"))
        #expect(message.en.contains("2 left, 3 requested"))
    }
}
