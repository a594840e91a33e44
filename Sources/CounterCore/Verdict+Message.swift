import Foundation

extension Verdict {
    /// The cashier's message in Chinese and English, with times in `timeZone`.
    public func message(in timeZone: TimeZone) -> LocalizedMessage {
        let time = ShopTimeFormatter(timeZone: timeZone)
        switch reason {
        case .ok:
            let title = campaign?.title ?? ""
            let left = usesLeft ?? 0
            guard redemption != nil else {
                return LocalizedMessage(zh: "验证通过：\(title)，可用 \(left) 次", en: "Valid: \(title), \(left) available")
            }
            let multi = usesRedeemed > 1 ? "（本次 \(usesRedeemed) 次）" : ""
            let multiEN = usesRedeemed > 1 ? " (\(usesRedeemed) uses)" : ""
            return LocalizedMessage(zh: "核销成功\(multi)：\(title)，剩余 \(left) 次",
                                    en: "Redeemed\(multiEN): \(title), \(left) left")
        case .malformed:
            return LocalizedMessage(zh: "无法识别此码，请重新扫描或手动输入",
                                    en: "Unreadable code. Scan again or type it in.")
        case .unknownCode:
            return LocalizedMessage(zh: "未找到此核销码，请核对号码；如为新购买，请联网同步后重试",
                                    en: "Unknown code. Check it; if it was just bought, sync and try again.")
        case .badSignature:
            return LocalizedMessage(zh: "核销码签名无效，可能已被篡改，请勿核销",
                                    en: "Invalid signature: the code may be forged or damaged. Do not redeem.")
        case .unknownKey:
            return LocalizedMessage(zh: "签名密钥未知，请联网同步后重试",
                                    en: "Signed with an unknown key. Sync and try again.")
        case .revoked:
            return LocalizedMessage(zh: "此码已作废（已退款或取消）", en: "Revoked (refunded or cancelled).")
        case .campaignInactive:
            return LocalizedMessage(zh: "活动未开始或已结束：\(campaign?.title ?? "")",
                                    en: "Campaign not active: \(campaign?.title ?? "")")
        case .wrongShop:
            return LocalizedMessage(zh: "此码不能在本门店核销", en: "Not valid at this shop.")
        case .notYetValid:
            let from = validFrom.map(time.string) ?? ""
            return LocalizedMessage(zh: "此码尚未生效，生效时间 \(from)", en: "Not valid yet. Valid from \(from).")
        case .expired:
            let until = validUntil.map(time.string) ?? ""
            return LocalizedMessage(zh: "此码已过期，有效期至 \(until)", en: "Expired. Was valid until \(until).")
        case .alreadyRedeemed:
            if let usesLeft, usesLeft > 0 {
                return LocalizedMessage(zh: "剩余次数不足：剩 \(usesLeft) 次，本次要求 \(usesRequested) 次",
                                        en: "Not enough uses left: \(usesLeft) left, \(usesRequested) requested.")
            }
            guard let priorUse else {
                return LocalizedMessage(zh: "此码已被核销", en: "Already redeemed.")
            }
            let when = time.string(priorUse.at)
            let place = [priorUse.shopID, priorUse.deviceID].compactMap { $0 }.joined(separator: " / ")
            let placeZH = place.isEmpty ? "" : "，地点 \(place)"
            let placeEN = place.isEmpty ? "" : " at \(place)"
            return LocalizedMessage(zh: "此码已被核销：\(when)\(placeZH)",
                                    en: "Already redeemed on \(when)\(placeEN).")
        case .offlineNotAllowed:
            return LocalizedMessage(zh: "此活动不支持离线核销，请联网同步后重试",
                                    en: "This campaign needs the code to be synced first. Sync and try again.")
        case .noStaff:
            return LocalizedMessage(zh: "请先登录", en: "Sign in first.")
        case .trainingOnly:
            return LocalizedMessage(zh: "练习模式：只能核销练习码", en: "Training mode: only practice codes redeem here.")
        case .trainingCode:
            return LocalizedMessage(zh: "这是练习码，不能在正式模式核销", en: "A practice code: it redeems only in training mode.")
        }
    }
}

/// Formats instants in the shop's time zone for messages, receipts and CLI output: `2026-11-22 10:31`.
public struct ShopTimeFormatter: Sendable {
    public let timeZone: TimeZone

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    /// `2026-11-22 10:31`.
    public func string(_ date: Date) -> String { format(date, seconds: false) }

    /// `2026-11-22 10:31:05`, for receipts.
    public func stringWithSeconds(_ date: Date) -> String { format(date, seconds: true) }

    private func format(_ date: Date, seconds: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let minutes = "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))"
        return seconds ? minutes + ":\(two(c.second))" : minutes
    }
}
