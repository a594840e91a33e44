import CounterCore
import CounterLedger
import CounterReceipts
import CounterSync
import Foundation
import Logging
import ServiceLifecycle

/// A time of day in the shop's time zone (`shifts.day_close`).
public struct TimeOfDay: Sendable, Equatable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    public init?(hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// `HH:MM`, 24-hour.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let hour = Int(parts[0]), let minute = Int(parts[1]) else { return nil }
        self.init(hour: hour, minute: minute)
    }

    public var description: String { (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)" }

    /// The latest instant at this time of day at or before `date`, in `zone`.
    func latest(atOrBefore date: Date, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: date) ?? date
        return today <= date ? today : calendar.date(byAdding: .day, value: -1, to: today) ?? today
    }

    /// The first instant at this time of day after `date`, in `zone`.
    func next(after date: Date, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let latest = latest(atOrBefore: date, in: zone)
        return calendar.date(byAdding: .day, value: 1, to: latest) ?? date.addingTimeInterval(86_400)
    }
}

/// The day close (日结) at `shifts.day_close` in the shop's time zone: closes the shift still open, or makes a day close
/// of what happened since the last close, prints its 交班单 when printing is on, and queues it for the hub's 对账.
/// A counter that was off at that time closes the day when it starts.
public struct DayCloseService: Service {
    let ledger: Ledger
    let time: TimeOfDay
    let timeZone: TimeZone
    let receipts: ReceiptService
    let logger: Logger
    let outboxChanged: @Sendable () -> Void

    public init(ledger: Ledger, time: TimeOfDay, timeZone: TimeZone, receipts: ReceiptService, logger: Logger,
                outboxChanged: @escaping @Sendable () -> Void) {
        self.ledger = ledger
        self.time = time
        self.timeZone = timeZone
        self.receipts = receipts
        self.logger = logger
        self.outboxChanged = outboxChanged
    }

    public func run() async throws {
        // Missed while the counter was off: close now (only once a day close has run before, so a new counter does not
        // close at its first start).
        if let last = try? await ledger.lastDayClose(), last < time.latest(atOrBefore: Date(), in: timeZone) {
            await closeDay()
        }
        while !Task.isCancelledOrShuttingDown {
            let now = Date()
            let wait = max(1, time.next(after: now, in: timeZone).timeIntervalSince(now))
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) }
            guard !Task.isCancelledOrShuttingDown else { return }
            await closeDay()
        }
    }

    /// Runs one day close now.
    func closeDay() async {
        do {
            guard let report = try await ledger.closeDay() else {
                logger.info("day close: nothing to close")
                return
            }
            logger.notice("day close", metadata: ["shift_id": "\(report.shiftId)", "redemptions": "\(report.redemptions.count)",
                                                  "reward_fen": "\(report.rewardFen)"])
            outboxChanged()
            if receipts.configuration.enabled {
                do {
                    _ = try await receipts.printShiftSlip(report)
                } catch {
                    logger.warning("day close slip not printed", metadata: ["shift_id": "\(report.shiftId)", "error": "\(error)"])
                }
            }
        } catch {
            logger.error("day close failed", metadata: ["error": "\(error)"])
        }
    }
}
