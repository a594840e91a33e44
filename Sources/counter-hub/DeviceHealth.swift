import CounterCore
import CounterHub
import Foundation

/// How `counter-hub device list` prints one device.
enum DeviceLine {
    static func text(_ device: DeviceSummary, now: Date) -> String {
        var line = [device.id, device.shopId, device.name ?? "-", "acknowledged \(device.acknowledgedSequence)",
                    "last sync " + ago(device.lastFeedAt, now: now), "last upload " + ago(device.lastUploadAt, now: now)]
        if let backlog = device.backlog { line.append("backlog \(backlog)") }
        if let offset = device.clockOffsetSeconds { line.append("clock \(signedSeconds(offset))") }
        if device.conflicts > 0 { line.append("conflicts \(device.conflicts)") }
        if let back = device.clockWentBackSeconds {
            line.append("CLOCK WENT BACK \(Int(saturating: back / 60)) min (events' times fell while their sequence rose)")
        }
        // "token issued 3 d ago": a token older than counterd's rotation period (90 days) means it cannot rotate.
        line.append("token issued " + ago(device.tokenIssuedAt, now: now))
        if let revoked = device.revokedAt {
            line.append("REVOKED \(RFC3339.string(revoked)) (\(device.revokedReason ?? "revoked"))")
        }
        return line.joined(separator: "  ")
    }

    /// "never", or how long ago in the largest fitting unit ("42 s ago", "3 min ago", "5 h ago", "2 d ago").
    static func ago(_ date: Date?, now: Date) -> String {
        guard let date else { return "never" }
        let seconds = max(0, Int(saturating: now.timeIntervalSince(date)))
        switch seconds {
        case ..<120: return "\(seconds) s ago"
        case ..<7200: return "\(seconds / 60) min ago"
        case ..<172_800: return "\(seconds / 3600) h ago"
        default: return "\(seconds / 86_400) d ago"
        }
    }

    static func signedSeconds(_ seconds: Double) -> String {
        let whole = Int(saturating: seconds.rounded())
        return (whole > 0 ? "+" : "") + "\(whole) s"
    }
}

/// One shop's devices added up, for `counter-hub device list --shops`.
struct ShopHealth: Codable, Equatable {
    var shopId: String
    var devices: Int
    var revoked: Int
    /// The most recent feed read of any of its devices that are not revoked.
    var lastSyncAt: Date?
    var backlog: Int64
    /// The clock offset furthest from zero among its devices.
    var worstClockOffsetSeconds: Double?
    var conflicts: Int

    static func summarize(_ devices: [DeviceSummary]) -> [ShopHealth] {
        var shops: [String: ShopHealth] = [:]
        for device in devices {
            var shop = shops[device.shopId] ?? ShopHealth(shopId: device.shopId, devices: 0, revoked: 0, lastSyncAt: nil,
                                                          backlog: 0, worstClockOffsetSeconds: nil, conflicts: 0)
            shop.devices += 1
            shop.conflicts += device.conflicts
            if device.revokedAt != nil {
                shop.revoked += 1
            } else {
                shop.lastSyncAt = [shop.lastSyncAt, device.lastFeedAt].compactMap { $0 }.max()
                shop.backlog = shop.backlog.addingReportingOverflow(device.backlog ?? 0).overflow ? .max
                    : shop.backlog + (device.backlog ?? 0)
                if let offset = device.clockOffsetSeconds, abs(offset) > abs(shop.worstClockOffsetSeconds ?? 0) {
                    shop.worstClockOffsetSeconds = offset
                }
            }
            shops[device.shopId] = shop
        }
        return shops.values.sorted { $0.shopId < $1.shopId }
    }

    func line(now: Date) -> String {
        var line = [shopId, "\(devices - revoked) active", "last sync " + DeviceLine.ago(lastSyncAt, now: now),
                    "backlog \(backlog)"]
        if revoked > 0 { line.append("\(revoked) revoked") }
        if let offset = worstClockOffsetSeconds { line.append("worst clock \(DeviceLine.signedSeconds(offset))") }
        if conflicts > 0 { line.append("conflicts \(conflicts)") }
        return line.joined(separator: "  ")
    }
}
