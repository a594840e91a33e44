import CounterCore
import CounterPrint
import Foundation

/// Turns a shift report into its 交班单, in the shop's time zone.
public struct ShiftSlipComposer: Sendable {
    let timeZone: TimeZone

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    public func content(_ report: ShiftReport, shopName: String, deviceID: String, printedAt: Date = Date()) -> ShiftSlipContent {
        let time = ShopTimeFormatter(timeZone: timeZone)
        let money = { (fen: Int) in Money(fen: fen).description }
        var lines: [ShiftSlipContent.Line] = [
            .pair(zh: "设备", en: "Device", value: deviceID),
            .pair(zh: "类型", en: "Kind", value: report.kind == .day ? "日结 Day close" : "交班 Shift"),
            .pair(zh: "开班", en: "Opened", value: time.string(report.openedAt)),
        ]
        if let by = report.openedBy { lines.append(.pair(zh: "开班人", en: "By", value: by)) }
        if let closed = report.closedAt {
            lines.append(.pair(zh: "交班", en: "Closed", value: time.string(closed)))
            if let by = report.closedBy { lines.append(.pair(zh: "交班人", en: "By", value: by)) }
        } else {
            lines.append(.pair(zh: "打印时间", en: "Printed", value: time.string(printedAt)))
        }
        let sequences = report.firstSequence.map { "\($0)-\(report.lastSequence ?? $0)" } ?? "-"
        lines += [.pair(zh: "序号", en: "Seq", value: sequences), .rule, .heading(zh: "按活动", en: "By campaign")]
        for campaign in report.campaigns {
            lines += [
                .text(campaign.title ?? campaign.campaignId),
                .pair(zh: "  核销笔数", en: "Redemptions", value: "\(campaign.totals.count)"),
                .pair(zh: "  核销次数", en: "Uses", value: "\(campaign.totals.uses)"),
                .pair(zh: "  面值", en: "Face value", value: money(campaign.totals.faceValueFen)),
                .pair(zh: "  服务点奖励", en: "Reward", value: money(campaign.totals.rewardFen)),
            ]
        }
        if report.campaigns.isEmpty { lines.append(.text("无 None")) }
        lines += [
            .rule,
            .pair(zh: "核销合计", en: "Redemptions", value: "\(report.redemptions.count) / \(report.redemptions.uses)"),
            .pair(zh: "撤销", en: "Voids", value: "\(report.voids.count) / \(report.voids.uses)"),
            .pair(zh: "撤销冲回奖励", en: "Reward reversed", value: money(-report.voids.rewardFen)),
            .pair(zh: "服务点奖励合计", en: "Shop reward", value: money(report.rewardFen)),
            .pair(zh: "练习（不计）", en: "Training", value: "\(report.training?.count ?? 0) / \(report.training?.uses ?? 0)"),
            .rule,
            .heading(zh: "拒绝", en: "Rejected"),
        ]
        lines += report.rejections.map { .pair(zh: "  " + $0.reason, en: "", value: "\($0.count)") }
        if report.rejections.isEmpty { lines.append(.text("无 None")) }
        lines += [.rule, .heading(zh: "按收银员", en: "By staff")]
        for member in report.staff {
            lines.append(.pair(zh: "  " + (member.name ?? member.staffId ?? "未登录"), en: member.staffId == nil ? "nobody" : "",
                               value: "\(member.redemptions) / \(member.uses) / \(member.voids)"))
        }
        if report.staff.isEmpty { lines.append(.text("无 None")) }
        lines.append(.text("笔数 / 次数 / 撤销 · count / uses / voids"))
        if let reconciliation = report.reconciliation {
            let status = switch reconciliation.status {
            case "matched": "对账一致 Matched"
            case "mismatched": "对账不一致 Mismatched (\(reconciliation.missingSequences.count))"
            default: "待对账 Pending"
            }
            lines += [.rule, .pair(zh: "对账", en: "Reconciliation", value: status)]
        }
        return ShiftSlipContent(shopName: shopName, isFinal: report.closedAt != nil, lines: lines)
    }
}
