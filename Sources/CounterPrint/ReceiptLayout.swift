import Foundation

/// What a receipt shows, independent of the printer (gathered after the redemption committed).
public struct ReceiptContent: Sendable, Equatable {
    /// A redemption, or the void of one.
    public enum Kind: Sendable, Equatable { case redemption, void }

    public var kind: Kind
    public var shopName: String
    public var campaignTitle: String
    public var product: String
    /// Face value, formatted (`￥18.00`).
    public var faceValue: String
    /// The shop's reward for this redemption (本单服务点奖励), formatted; `nil` when the campaign pays none.
    public var shopReward: String?
    public var usesRedeemed: Int
    public var usesLeft: Int?
    /// Shop-local time, formatted (`2026-11-22 10:31`).
    public var time: String
    public var deviceID: String
    public var deviceSequence: Int64
    public var codeLastFour: String
    public var redemptionID: String
    /// A reprint is marked 重打 / REPRINT.
    public var isReprint: Bool
    /// The staff member who redeemed (or voided, on a void slip): printed as 收银员; `nil` for nobody.
    public var staffName: String?
    /// A practice redemption (练习模式) is marked 练习 TRAINING: it is not a real voucher.
    public var isTraining = false

    public init(kind: Kind, shopName: String, campaignTitle: String, product: String, faceValue: String, shopReward: String?,
                usesRedeemed: Int, usesLeft: Int?, time: String, deviceID: String, deviceSequence: Int64, codeLastFour: String,
                redemptionID: String, isReprint: Bool = false, staffName: String? = nil) {
        self.kind = kind
        self.shopName = shopName
        self.campaignTitle = campaignTitle
        self.product = product
        self.faceValue = faceValue
        self.shopReward = shopReward
        self.usesRedeemed = usesRedeemed
        self.usesLeft = usesLeft
        self.time = time
        self.deviceID = deviceID
        self.deviceSequence = deviceSequence
        self.codeLastFour = codeLastFour
        self.redemptionID = redemptionID
        self.isReprint = isReprint
        self.staffName = staffName
    }
}

/// Lays receipts out for a paper width: Chinese labels always, English labels where the line has room.
public enum ReceiptLayout {
    public static func document(for content: ReceiptContent, profile: PrinterProfile) -> ReceiptDocument {
        let wide = profile.charactersPerLine >= 48
        func label(_ zh: String, _ en: String) -> String { wide ? "\(zh) \(en)" : zh }
        var elements: [ReceiptDocument.Element] = [
            .text(content.shopName, alignment: .center, bold: true, large: true),
        ]
        switch content.kind {
        case .redemption:
            elements.append(.text(wide ? "核销凭证 Redemption receipt" : "核销凭证", alignment: .center))
        case .void:
            elements.append(.text(wide ? "撤销凭证 VOID" : "撤销凭证 VOID", alignment: .center, bold: true, large: true))
        }
        if content.isReprint {
            elements.append(.text("** 重打 REPRINT **", alignment: .center, bold: true))
        }
        if content.isTraining {
            elements.append(.text("** 练习 TRAINING **", alignment: .center, bold: true, large: true))
        }
        elements += [
            .rule,
            .text(content.campaignTitle, bold: true),
            .text(content.product),
            .columns(label("面值", "Face value"), content.faceValue),
            .columns(label("本次核销", "Uses"), "\(content.usesRedeemed)"),
        ]
        if let left = content.usesLeft {
            elements.append(.columns(label("剩余次数", "Uses left"), "\(left)"))
        }
        if let reward = content.shopReward {
            elements.append(.columns(label("本单服务点奖励", "Shop reward"), reward))
        }
        elements += [
            .rule,
            .columns(label("时间", "Time"), content.time),
            .columns(label("设备", "Device"), content.deviceID),
        ]
        if let staff = content.staffName {
            elements.append(.columns(label("收银员", "Cashier"), staff))
        }
        elements += [
            .columns(label("序号", "Seq"), "\(content.deviceSequence)"),
            .columns(label("券码尾号", "Code"), "…" + content.codeLastFour),
            .qr(content.redemptionID, moduleSize: wide ? 6 : 5),
            .text(content.redemptionID, alignment: .center),
            .feed(lines: 3),
            .cut,
        ]
        return ReceiptDocument(elements)
    }
}
