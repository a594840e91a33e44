import CounterCore
import CounterLedger
import Foundation
import Logging

// The sections of the file that have no type of their own: each declares its keys and parses itself here.
// The sections that do (api, printer, usb_scanners, scanners) parse themselves beside their types.

/// The `device:` section: who this counter is, and its time zone.
enum DeviceSection {
    static let configKeys: [ConfigKey] = [.text("id"), .text("shop"), .text("time_zone")]

    /// The identity (`nil` when the file leaves it to enrollment) and the time zone.
    static func parse(_ device: inout ConfigTable) throws -> (identity: DeviceIdentity?, timeZone: TimeZone) {
        // An enrolled counter learns its id and shop from enrollment; the file may leave them out.
        let deviceID = try optionalIdentifier(&device, "id")
        let shopID = try optionalIdentifier(&device, "shop")
        guard (deviceID == nil) == (shopID == nil) else {
            throw ConfigError(key: deviceID == nil ? "device.id" : "device.shop", problem: "is missing",
                              fix: "set both device.id and device.shop, or neither (an enrolled counter takes them from enrollment)")
        }
        let identity = deviceID.map { DeviceIdentity(deviceID: $0, shopID: shopID!) }
        let zoneName = try device.string("time_zone", fix: "use an IANA name such as Asia/Shanghai") ?? "Asia/Shanghai"
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw ConfigError(key: "device.time_zone", value: zoneName, problem: "is not a known time zone",
                              fix: "use an IANA name such as Asia/Shanghai")
        }
        try device.finish(configKeys)
        return (identity, timeZone)
    }

    private static func optionalIdentifier(_ table: inout ConfigTable, _ name: String) throws -> String? {
        guard let value = try table.string(name, fix: "write an identifier such as counter-01") else { return nil }
        guard (1...64).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigError(key: table.key(name), value: value, problem: "must be 1 to 64 printable ASCII characters without spaces",
                              fix: "use the identifier exactly as the platform gave it")
        }
        return value
    }
}

/// The `redeem:` section: the void window.
enum RedeemSection {
    static let configKeys: [ConfigKey] = [.duration("void_window")]
    static let defaultVoidWindow = Duration.seconds(600)

    static func parse(_ redeem: inout ConfigTable) throws -> Duration {
        var voidWindow = defaultVoidWindow
        if let window = try redeem.duration("void_window", fix: "the default is 10m; 0 turns voids off",
                                            within: .zero ... .seconds(24 * 3600),
                                            rangeFix: "use a short window such as 10m; later corrections go through the platform") {
            voidWindow = window
        }
        try redeem.finish(configKeys)
        return voidWindow
    }
}

/// The `staff:` section: how long a staff session on the cashier's page lasts without use.
enum StaffSection {
    static let configKeys: [ConfigKey] = [.duration("session_idle")]
    static let defaultSessionIdle = Duration.seconds(30 * 60)

    static func parse(_ staff: inout ConfigTable) throws -> Duration {
        var idle = defaultSessionIdle
        if let value = try staff.duration("session_idle", fix: "the default is 30m", within: .seconds(60) ... .seconds(12 * 3600),
                                          rangeFix: "use 1m to 12h; the default is 30m") {
            idle = value
        }
        try staff.finish(configKeys)
        return idle
    }
}

/// The `shifts:` section: when the day close (日结) runs, in the shop's time zone.
enum ShiftsSection {
    static let configKeys: [ConfigKey] = [.text("day_close")]
    static let defaultDayClose = TimeOfDay(hour: 4, minute: 0)

    /// The day close's time of day; `nil` for `off`.
    static func parse(_ shifts: inout ConfigTable) throws -> TimeOfDay? {
        var dayClose = defaultDayClose
        if let text = try shifts.string("day_close", fix: "write a time such as \"04:00\", or \"off\"") {
            if text == "off" {
                dayClose = nil
            } else {
                guard let time = TimeOfDay(parsing: text) else {
                    throw ConfigError(key: shifts.key("day_close"), value: text, problem: "is not a time of day",
                                      fix: "write HH:MM on a 24-hour clock, such as \"04:00\", or \"off\"")
                }
                dayClose = time
            }
        }
        try shifts.finish(configKeys)
        return dayClose
    }
}

/// The `hub:` section: how often the feed is polled.
enum HubSection {
    static let configKeys: [ConfigKey] = [.duration("poll_interval"), .duration("token_rotation")]
    static let defaultPollInterval = Duration.seconds(60)
    /// How old the device token may grow before counterd asks the hub for a new one: 90 days.
    static let defaultTokenRotation = Duration.seconds(90 * 86_400)

    static func parse(_ hub: inout ConfigTable) throws -> (pollInterval: Duration, tokenRotation: Duration) {
        var pollInterval = defaultPollInterval
        if let interval = try hub.duration("poll_interval", fix: "the default is 60s", within: .seconds(5) ... .seconds(86_400),
                                           rangeFix: "use 5s to 24h; the default is 60s") {
            pollInterval = interval
        }
        var tokenRotation = defaultTokenRotation
        let rotationFix = "use 1h to 366d, or 0s to never rotate; the default is 90d"
        if let period = try hub.duration("token_rotation", fix: "the default is 90d", within: .zero ... .seconds(366 * 86_400),
                                         rangeFix: rotationFix) {
            guard period == .zero || period >= .seconds(3600) else {
                throw ConfigError(key: "hub.token_rotation", value: DurationParser.format(period), problem: "is shorter than an hour",
                                  fix: rotationFix)
            }
            tokenRotation = period
        }
        try hub.finish(configKeys)
        return (pollInterval, tokenRotation)
    }
}

/// The `log:` section: the log level.
enum LogSection {
    static let configKeys: [ConfigKey] = [.text("level")]
    static let defaultLevel = Logger.Level.info

    static func parse(_ log: inout ConfigTable) throws -> Logger.Level {
        var logLevel = defaultLevel
        let levels = "use trace, debug, info, notice, warning, error or critical"
        if let level = try log.string("level", fix: levels) {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigError(key: "log.level", value: level, problem: "is not a log level", fix: levels)
            }
            logLevel = parsed
        }
        try log.finish(configKeys)
        return logLevel
    }
}
