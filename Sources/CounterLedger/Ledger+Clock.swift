import Foundation
import GRDB

/// The counter's defence against a clock set back while it is offline: the latest trustworthy time it has seen
/// (the hub's time in the last feed page, or the time of its own latest event) is kept as a high-water mark.
/// A clock more than ``clockTolerance`` below it judges codes and void windows at the high-water time (so an
/// expired code or a retired key does not pass again) and flags every event `clock_suspect`.
extension Ledger {
    /// The clock offset to the hub (or drop below the high-water time) beyond which events are flagged
    /// `clock_suspect` (service continues).
    public static let clockTolerance: TimeInterval = 2 * 3600

    /// The latest trustworthy time seen, if any.
    public func clockHighWater() async throws -> Date? {
        try await writer.read { try self.highWater($0) }
    }

    func highWater(_ db: Database) throws -> Date? {
        try Date.fetchOne(db.cachedStatement(sql: "SELECT high_water_at FROM device_state WHERE id = 1"))
    }

    /// The time codes and windows are judged at: `now`, or the high-water time when the clock is set back below it.
    func judgingTime(_ now: Date, _ db: Database) throws -> Date {
        guard let highWater = try highWater(db), now < highWater - Self.clockTolerance else { return now }
        return highWater
    }

    /// Raises the high-water time to `time` (an event's), never lowering it.
    func raiseHighWater(to time: Date, _ db: Database) throws {
        if let current = try highWater(db), current >= time { return }
        try db.cachedStatement(sql: "UPDATE device_state SET high_water_at = ? WHERE id = 1").execute(arguments: [time])
    }

    /// Sets the high-water time to the hub's clock: the hub is trusted over this counter's own events, so a clock
    /// that once ran ahead (and stamped events in the future) does not keep the mark up once the hub answers.
    func setHighWater(toHubTime time: Date, _ db: Database) throws {
        try db.cachedStatement(sql: "UPDATE device_state SET high_water_at = ? WHERE id = 1").execute(arguments: [time])
    }

    /// Whether an event at `now` is to be flagged: the last measured offset to the hub's clock was beyond
    /// ``clockTolerance``, or `now` is that far below the high-water time.
    func isClockSuspect(at now: Date, _ db: Database) throws -> Bool {
        let offset = try Double.fetchOne(db.cachedStatement(sql: "SELECT server_time_offset FROM sync_state WHERE id = 1"))
        if let offset, abs(offset) > Self.clockTolerance { return true }
        return try judgingTime(now, db) != now
    }
}
