@testable import CounterPrint
import Testing

@Suite struct ReceiptLayoutTests {
    let content = ReceiptContent(kind: .redemption, shopName: "东门服务点", campaignTitle: "咖啡兑换券 Coffee voucher",
                                 product: "美式咖啡 Americano", faceValue: "￥18.00", shopReward: "￥2.00", usesRedeemed: 1,
                                 usesLeft: 0, time: "2026-11-22 10:31", deviceID: "dev-01", deviceSequence: 42,
                                 codeLastFour: "M2XP", redemptionID: "0192f0c1-2a3b-7c4d-8e5f-0123456789ab")

    func decoded(_ content: ReceiptContent, _ profile: PrinterProfile) -> DecodedReceipt {
        EscPosDecoder.decode(EscPosEncoder(profile: profile).encode(ReceiptLayout.document(for: content, profile: profile)))
    }

    @Test func a58mmReceiptCarriesEverythingTheShopNeeds() {
        let receipt = decoded(content, .generic58)
        let text = receipt.lines.joined(separator: "\n")
        for expected in ["东门服务点", "咖啡兑换券", "美式咖啡", "￥18.00", "本单服务点奖励", "￥2.00", "剩余次数", "2026-11-22 10:31",
                         "dev-01", "42", "…M2XP"] {
            #expect(text.contains(expected), "missing \(expected)")
        }
        #expect(receipt.qrPayloads == ["0192f0c1-2a3b-7c4d-8e5f-0123456789ab"])
        #expect(receipt.cuts == 1)
        #expect(receipt.lines.allSatisfy { TextWidth.columns($0) <= 32 })
        #expect(!text.contains("Face value"), "English labels only where there is room")
    }

    @Test func an80mmReceiptAddsEnglishLabels() {
        var profile = PrinterProfile.generic58
        profile.charactersPerLine = 48
        let text = decoded(content, profile).lines.joined(separator: "\n")
        #expect(text.contains("面值 Face value"))
        #expect(text.contains("本单服务点奖励 Shop reward"))
    }

    @Test func reprintsVoidsAndCampaignsWithoutReward() {
        var reprint = content
        reprint.isReprint = true
        #expect(decoded(reprint, .generic58).lines.contains { $0.contains("重打 REPRINT") })
        var void = content
        void.kind = .void
        #expect(decoded(void, .generic58).lines.contains { $0.contains("撤销凭证 VOID") })
        var noReward = content
        noReward.shopReward = nil
        #expect(!decoded(noReward, .generic58).lines.contains { $0.contains("本单服务点奖励") })
    }

    /// Issue 17: the member who redeemed is printed as 收银员; nobody signed in prints no such line.
    @Test func theCashierIsNamedWhenOneWasSignedIn() {
        #expect(!decoded(content, .generic58).lines.contains { $0.contains("收银员") })
        var signed = content
        signed.staffName = "王芳"
        let lines = decoded(signed, .generic58).lines
        let line = lines.first { $0.contains("收银员") }
        #expect(line?.hasSuffix("王芳") == true, "\(lines)")
        #expect(lines.allSatisfy { TextWidth.columns($0) <= 32 })
    }
}
