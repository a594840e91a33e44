import CounterCore
import Foundation

/// Feed positions and epochs (docs/protocol.md, "Position"; counter-hub's "Positions" and "Restore").
///
/// Positions come from a clock that never goes back: each change takes the larger of the last position + 1
/// and the current time in microseconds since 1970, and opening the store raises the position to that time
/// too. A hub restored from an older backup therefore continues above every position it handed out before
/// (as long as its clock is right), so no counter's cursor ever hides a change made after the restore.
/// The clock's part is capped at 2^52 µs (the year 2112), so a hub clock set far ahead never pushes positions
/// past 2^53 − 1, the contract's integer range.
///
/// The epoch, kept with the position, is in every cursor. `counter-hub epoch renew` (a step of restoring from
/// a backup) starts a new one: every cursor of the earlier epoch then gets a reset, so counters also drop
/// what they hold from the lost time after the backup (tokens and revocations the restored hub never saw).
extension HubStore {
    /// Takes the next change position (global, so it never decreases for any shop).
    ///
    /// On PostgreSQL the update locks the one `hub_state` row until the transaction ends, so positions are
    /// handed out in commit order: a transaction that takes a position waits for the one that took the
    /// previous position to commit or roll back. A reader can therefore never see a position while a
    /// smaller one is still uncommitted (docs/protocol.md, "Position").
    ///
    /// `scope` is whose feeds the change touches: the live feed wakes only their held requests.
    static func nextPosition(_ sql: any HubSQL, for scope: FeedChangeScope, now: Date = Date()) throws -> Int64 {
        let position = try sql.value(Int64.self, """
            UPDATE hub_state SET position = CASE WHEN position + 1 > ?1 THEN position + 1 ELSE ?1 END WHERE id = 1
            RETURNING position
            """, [clockPosition(now)]) ?? 0
        sql.feedChanges.note(scope)
        return position
    }

    static func currentPosition(_ sql: any HubSQL) throws -> Int64 {
        try sql.value(Int64.self, "SELECT position FROM hub_state WHERE id = 1") ?? 0
    }

    /// Raises the position to the clock (at open, and with a new epoch), never lowering it.
    static func raisePositionToClock(_ sql: any HubSQL, now: Date) throws {
        try sql.execute("UPDATE hub_state SET position = ?1 WHERE id = 1 AND position < ?1", [clockPosition(now)])
    }

    /// Microseconds since 1970: 0 before it, at most ``clockPositionCap``.
    static func clockPosition(_ now: Date) -> Int64 {
        let microseconds = (now.timeIntervalSince1970 * 1_000_000).rounded(.down)
        guard microseconds.isFinite, microseconds > 0 else { return 0 }
        return microseconds >= Double(clockPositionCap) ? clockPositionCap : Int64(microseconds)
    }

    static let clockPositionCap: Int64 = 1 << 52

    /// The feed's epoch: empty until the first `epoch renew`, which is what cursors made before epochs existed
    /// belong to.
    static func currentEpoch(_ sql: any HubSQL) throws -> String {
        try sql.value(String.self, "SELECT epoch FROM hub_state WHERE id = 1") ?? ""
    }

    /// Starts a new feed epoch: every counter's next feed read is a reset, a full resync. Run it after
    /// restoring the hub from a backup, before serving. Returns the new epoch.
    public func renewEpoch(now: Date = Date()) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let epoch = Hex.encode((0..<8).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try database.write { sql in
            try sql.execute("UPDATE hub_state SET epoch = ? WHERE id = 1", [epoch])
            try Self.raisePositionToClock(sql, now: now)
            // Every held request must answer with its reset.
            sql.feedChanges.note(.everyShop)
        }
        return epoch
    }
}

/// The opaque feed cursor counter-hub hands out: base64 of `v2:<epoch>:<shop>:<position>`. Cursors of the
/// first form, `v1:<shop>:<position>`, belong to the empty epoch, so an upgraded hub keeps its counters' cursors.
enum FeedCursor {
    /// The longest cursor a client may send (the contract's `maxLength`); a shop id of 64 bytes makes
    /// a cursor of at most 144.
    static let maxLength = 1024

    static func make(epoch: String, shop: String, position: Int64) -> String {
        Data("v2:\(epoch):\(shop):\(position)".utf8).base64EncodedString()
    }

    /// The position a cursor stands for, if it is one of ours for this epoch and shop.
    static func parse(_ cursor: String, epoch: String, shop: String) -> Int64? {
        guard let data = Data(base64Encoded: cursor) else { return nil }
        var text = Substring(String(decoding: data, as: UTF8.self))
        let cursorEpoch: Substring
        if text.hasPrefix("v2:") {
            text = text.dropFirst(3)
            guard let colon = text.firstIndex(of: ":") else { return nil }
            cursorEpoch = text[..<colon]
            text = text[text.index(after: colon)...]
        } else if text.hasPrefix("v1:") {
            cursorEpoch = ""
            text = text.dropFirst(3)
        } else {
            return nil
        }
        // Shop ids may contain ':'; the position follows the last one.
        guard cursorEpoch == epoch, let colon = text.lastIndex(of: ":"), text[..<colon] == shop,
              let position = Int64(text[text.index(after: colon)...]), position >= 0 else {
            return nil
        }
        return position
    }
}
