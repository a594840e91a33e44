import CounterCore
import CounterSyncModels
import Foundation

extension HubStore {
    /// Stores a batch of a device's events, in request order, in one transaction
    /// (docs/protocol.md, `POST /v1/events`). Each event gets its own result; one bad event never fails the batch.
    public func ingest(_ request: EventsRequest, from device: HubDevice, now: Date = Date()) throws -> EventsResponse {
        try ingestNotingChanges(request, from: device, now: now).response
    }

    /// ``ingest(_:from:now:)``, also saying whose feeds it changed (`nil`: nobody's), for the live feed.
    public func ingestNotingChanges(_ request: EventsRequest, from device: HubDevice,
                                    now: Date = Date()) throws -> (response: EventsResponse, changed: FeedChangeScope?) {
        try database.write { sql in
            let response = try Self.ingest(request, from: device, now: now, sql)
            return (response, sql.feedChanges.scope)
        }
    }

    /// ``ingest(_:from:now:)`` inside a transaction the caller holds.
    static func ingest(_ request: EventsRequest, from device: HubDevice, now: Date, _ sql: any HubSQL) throws -> EventsResponse {
        // Rows are locked in one order in every transaction, so two batches never deadlock: this device first (two
        // batches of one device run one after the other), then the tokens the batch touches by id, and last the
        // position row, taken at the very end (``takePositions``).
        var acknowledged = try sql.value(Int64.self, "SELECT acknowledged_sequence FROM device WHERE id = ?" + sql.dialect.forUpdate,
                                         [device.id]) ?? 0
        try Self.lockTokens(of: request.events, sql)
        var results: [EventsResponse.Result] = []
        var changes: [PositionedChange] = []
        for event in request.events {
            results.append(try Self.ingest(event, from: device, now: now, changes: &changes, sql))
        }
        while try sql.value(Int.self, "SELECT 1 FROM event WHERE device_id = ? AND device_sequence = ?",
                            [device.id, acknowledged + 1]) == 1 {
            acknowledged += 1
        }
        try sql.execute("UPDATE device SET acknowledged_sequence = ? WHERE id = ?", [acknowledged, device.id])
        try Self.noteUploadHealth(of: device, sentAt: request.sentAt, backlog: request.backlog, now: now, sql)
        try Self.takePositions(for: changes, sql)
        return EventsResponse(serverTime: now, results: results, acknowledgedSequence: acknowledged)
    }

    /// Locks the tokens a batch redeems or voids, in id order (PostgreSQL; SQLite has one writer anyway). Then the
    /// use counts read for one event cannot change before its transaction commits: two counters redeeming the
    /// same code through two hub processes become one `accepted` and one conflict.
    static func lockTokens(of events: [EventsRequest.Event], _ sql: any HubSQL) throws {
        guard sql.dialect == .postgres else { return }
        var tokenIDs = Set(events.compactMap { $0.type == "redemption" ? $0.tokenId : nil })
        let redemptionIDs = events.compactMap { $0.type == "void" ? $0.redemptionId?.lowercased() : nil }
        if !redemptionIDs.isEmpty {
            for row in try sql.rows("SELECT token_id FROM event WHERE id IN (\(placeholders(redemptionIDs.count)))", redemptionIDs) {
                if let token: String = try row["token_id"] { tokenIDs.insert(token) }
            }
        }
        guard !tokenIDs.isEmpty else { return }
        let sorted = tokenIDs.sorted()
        try sql.execute("SELECT id FROM token WHERE id IN (\(placeholders(sorted.count))) ORDER BY id FOR UPDATE", sorted)
    }

    /// An event for the export, and the token change other counters need, waiting for its position.
    struct PositionedChange {
        let eventID: String
        let tokenID: String?
        let scope: FeedChangeScope
    }

    /// Gives each change its position, last in the transaction. Every writer waits for the position row, which
    /// stays locked until commit (positions in commit order, ``nextPosition(_:for:now:)``): the less a transaction
    /// does after taking it, the more uploads commit per second.
    static func takePositions(for changes: [PositionedChange], _ sql: any HubSQL) throws {
        for change in changes {
            let position = try nextPosition(sql, for: change.scope)
            try sql.execute("UPDATE event SET position = ? WHERE id = ?", [position, change.eventID])
            if let token = change.tokenID {
                try sql.execute("UPDATE token SET position = ?, in_feed = TRUE WHERE id = ?", [position, token])
            }
        }
    }

    private static func ingest(_ event: EventsRequest.Event, from device: HubDevice, now: Date,
                               changes: inout [PositionedChange], _ sql: any HubSQL) throws -> EventsResponse.Result {
        func result(_ status: String, _ reason: String? = nil) -> EventsResponse.Result {
            EventsResponse.Result(id: event.id, status: status, reason: reason)
        }
        guard UUID(uuidString: event.id) != nil else { return result("rejected", "invalid_event") }
        let body = String(decoding: try WireJSON.encoder().encode(event), as: UTF8.self)
        // A malformed staff id is refused below; it is not stored in the column.
        let staffID = event.staffId.flatMap { WireLimits.isIdentifier($0) ? $0 : nil }
        if let existing = try sql.row("SELECT device_id, body, status, reason FROM event WHERE id = ?", [event.id.lowercased()]) {
            // A resend (the answer was lost): the same content gets the same outcome; an accepted one is a duplicate.
            guard try existing["device_id"] == device.id, Self.sameContent(stored: try existing["body"], resent: body) else {
                return result("rejected", "id_reused")
            }
            let status: String = try existing["status"]
            var answer = status == "accepted" ? result("duplicate") : result(status, try existing["reason"])
            // A shift close sent again (after the events it lacked) is reconciled again.
            if status == "accepted", event.type == "shift_close", let shift = event.shift, Self.isValid(shift), Self.isValidRange(shift) {
                answer.reconciliation = try Self.reconcile(device: device.id, shift, sql)
            }
            return answer
        }
        /// Whether this device already used a sequence number (then the event is kept without it).
        func sequenceTaken(_ sequence: Int64) throws -> Bool {
            try sql.value(Int.self, "SELECT COUNT(*) FROM event WHERE device_id = ? AND device_sequence = ?",
                          [device.id, sequence]) ?? 0 > 0
        }
        /// Keeps a refused event too, so its sequence counts as received and a resend gets the same answer.
        func refuse(_ reason: String) throws -> EventsResponse.Result {
            let sequence = try event.deviceSequence.flatMap { try sequenceTaken($0) ? nil : $0 }
            try store("rejected", reason, sequence: sequence, token: nil, redemption: nil, uses: 0)
            return result("rejected", reason)
        }
        /// Stores the event; what the commission engine receives gets its position (its place in the export) at the
        /// end of the transaction (``takePositions``).
        func store(_ status: String, _ reason: String?, sequence: Int64?, token: String?, redemption: String?, uses: Int) throws {
            try sql.execute("""
                INSERT INTO event (id, device_id, type, device_sequence, token_id, redemption_id, uses, status, reason,
                                   occurred_at, received_at, body, staff_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [event.id.lowercased(), device.id, event.type, sequence, token, redemption, uses, status,
                      reason, event.occurredAt, now, body, staffID])
        }
        // A staff id is kept as the counter sent it, never checked against the staff table: an event recorded offline
        // may name a member disabled since.
        if event.staffId != nil, staffID == nil { return try refuse("invalid_event") }
        if let approver = event.approvedBy, !WireLimits.isIdentifier(approver) { return try refuse("invalid_event") }
        switch event.type {
        case "redemption":
            guard let sequence = event.deviceSequence, sequence >= 1, let tokenID = event.tokenId, TokenID(hex: tokenID) != nil,
                  let uses = event.uses, (1...65_535).contains(uses) else {
                return try refuse("invalid_event")
            }
            guard event.shopId == device.shopID else { return try refuse("shop_mismatch") }
            guard let token = try sql.row("SELECT * FROM token WHERE id = ?", [tokenID]) else {
                return try refuse("unknown_token")
            }
            var storedSequence: Int64? = sequence
            var reason: String?
            if try sequenceTaken(sequence) {
                storedSequence = nil
                reason = "sequence_reused"
            }
            reason = try reason ?? conflictReason(token: token, uses: uses, at: event.occurredAt, shop: device.shopID, sql)
            try store(reason == nil ? "accepted" : "conflict", reason, sequence: storedSequence, token: tokenID,
                      redemption: nil, uses: uses)
            if let storedSequence { try Self.checkClock(of: device, sequence: storedSequence, occurredAt: event.occurredAt, now: now, sql) }
            // One position for both: the export's place of the event, and the token's change (other counters need
            // the new count).
            changes.append(PositionedChange(eventID: event.id.lowercased(), tokenID: tokenID,
                                            scope: FeedChangeScope(shopIDs: decodeShops(try token["shop_ids"]))))
            return result(reason == nil ? "accepted" : "conflict", reason)
        case "void":
            guard let sequence = event.deviceSequence, sequence >= 1, let redemptionID = event.redemptionId?.lowercased() else {
                return try refuse("invalid_event")
            }
            guard let redemption = try sql.row("SELECT * FROM event WHERE id = ? AND type = 'redemption'", [redemptionID]) else {
                return try refuse("unknown_redemption")
            }
            guard try redemption["device_id"] == device.id else { return try refuse("wrong_device") }
            guard try sql.value(Int.self, "SELECT COUNT(*) FROM event WHERE type = 'void' AND redemption_id = ? AND status = 'accepted'",
                                [redemptionID]) == 0 else {
                return try refuse("already_voided")
            }
            if try sequenceTaken(sequence) {
                try store("conflict", "sequence_reused", sequence: nil, token: nil, redemption: redemptionID, uses: 0)
                return result("conflict", "sequence_reused")
            }
            let tokenID: String? = try redemption["token_id"]
            let tokenShops = try tokenID.flatMap { try sql.value(String.self, "SELECT shop_ids FROM token WHERE id = ?", [$0]) }
            try store("accepted", nil, sequence: sequence, token: tokenID, redemption: redemptionID, uses: try redemption["uses"])
            try Self.checkClock(of: device, sequence: sequence, occurredAt: event.occurredAt, now: now, sql)
            changes.append(PositionedChange(eventID: event.id.lowercased(), tokenID: tokenID,
                                            scope: tokenShops.map { FeedChangeScope(shopIDs: decodeShops($0)) } ?? .everyShop))
            return result("accepted")
        case "rejection":
            guard event.reason != nil else { return try refuse("invalid_event") }
            try store("accepted", nil, sequence: nil, token: event.tokenId, redemption: nil, uses: 0)
            return result("accepted")
        case "shift_close":
            guard let shift = event.shift, Self.isValid(shift) else { return try refuse("invalid_event") }
            // What the schema cannot say: the range's end against its start, and its length.
            guard Self.isValidRange(shift) else { return try refuse("invalid_shift_range") }
            try store("accepted", nil, sequence: nil, token: nil, redemption: nil, uses: 0)
            var answer = result("accepted")
            answer.reconciliation = try Self.reconcile(device: device.id, shift, sql)
            return answer
        default:
            return try refuse("invalid_event")
        }
    }

    /// Why an offline redemption is recorded as a conflict, or `nil` when it is in order.
    private static func conflictReason(token: HubRow, uses: Int, at occurredAt: Date, shop: String, _ sql: any HubSQL) throws -> String? {
        if try token["status"] == "revoked", let revokedAt = try token["revoked_at"] as Date?, revokedAt <= occurredAt {
            return "revoked"
        }
        if let from = try token["valid_from"] as Date?, occurredAt < from { return "not_yet_valid" }
        if let until = try token["valid_until"] as Date?, occurredAt >= until { return "expired" }
        let shops = decodeShops(try token["shop_ids"])
        if !shops.isEmpty, !shops.contains(shop) { return "wrong_shop" }
        if let campaign = try sql.row("SELECT * FROM campaign WHERE id = ?", [try token["campaign_id"] as String]) {
            let activeFrom: Date? = try campaign["active_from"]
            let activeUntil: Date? = try campaign["active_until"]
            let active = try campaign["status"] == "active"
                && activeFrom.map { occurredAt >= $0 } ?? true
                && activeUntil.map { occurredAt < $0 } ?? true
            if !active { return "campaign_inactive" }
        }
        let used = try sql.value(Int.self, """
            SELECT COALESCE(SUM(CASE type WHEN 'redemption' THEN uses ELSE -uses END), 0) FROM event
            WHERE token_id = ? AND type IN ('redemption', 'void') AND status IN ('accepted', 'conflict')
            """, [try token["id"] as String]) ?? 0
        return try used + uses > (token["uses_total"] as Int) ? "over_redeemed" : nil
    }

    /// The longest device-sequence range one shift close may cover.
    static let maximumShiftSpan: Int64 = 1_000_000

    /// Whether a shift close keeps its schema: a known kind, sequences from 1 (and 0 for an empty range's end) to
    /// 2^53 − 1, counts and amounts in range, staff ids that are identifiers.
    static func isValid(_ shift: EventsRequest.ShiftClose) -> Bool {
        let integers = WireLimits.integers
        return ["shift", "day"].contains(shift.kind) && integers.contains(shift.fromSequence) && shift.fromSequence >= 1
            && integers.contains(shift.toSequence)
            && [shift.redemptions, shift.uses, shift.voids, shift.faceValueFen].allSatisfy { integers.contains(Int64($0)) }
            && integers.contains(Int64(clamping: shift.rewardFen.magnitude))
            && [shift.openedBy, shift.closedBy].allSatisfy { $0.map(WireLimits.isIdentifier) ?? true }
    }

    /// What the schema cannot say of a valid shift close's range: it ends at most one before its start (empty) and
    /// covers fewer than ``maximumShiftSpan`` sequences. Only then is it reconciled (no arithmetic can overflow).
    static func isValidRange(_ shift: EventsRequest.ShiftClose) -> Bool {
        shift.toSequence >= shift.fromSequence - 1 && shift.toSequence - shift.fromSequence < maximumShiftSpan
    }

    /// 对账: whether the hub holds an event of every device sequence of the shift, and which it lacks (at most
    /// ``EventsResponse/Reconciliation/maximumMissing``).
    static func reconcile(device: String, _ shift: EventsRequest.ShiftClose, _ sql: any HubSQL) throws -> EventsResponse.Reconciliation {
        let (from, to) = (shift.fromSequence, shift.toSequence)
        guard to >= from else { return .init(status: "matched") }
        let range = "SELECT device_sequence FROM event WHERE device_id = ? AND device_sequence >= ? AND device_sequence <= ?"
        let held = try sql.value(Int64.self, "SELECT COUNT(*) FROM (" + range + ") AS held", [device, from, to]) ?? 0
        guard held < to - from + 1 else { return .init(status: "matched") }
        var present = Set<Int64>()
        for row in try sql.rows(range, [device, from, to]) { present.insert(try row["device_sequence"]) }
        var missing: [Int64] = []
        var sequence = from
        while sequence <= to, missing.count < EventsResponse.Reconciliation.maximumMissing {
            if !present.contains(sequence) { missing.append(sequence) }
            sequence += 1
        }
        return .init(status: "mismatched", missingSequences: missing)
    }

    /// Everything received, newest first, for `counter-hub redemptions`.
    public func receivedEvents() throws -> [ReceivedEvent] {
        try database.read { sql in
            try sql.rows("SELECT * FROM event ORDER BY " + sql.dialect.receivedOrder, []).map { row in
                ReceivedEvent(id: try row["id"], type: try row["type"], deviceId: try row["device_id"],
                              deviceSequence: try row["device_sequence"], tokenId: try row["token_id"],
                              redemptionId: try row["redemption_id"], uses: try row["uses"], status: try row["status"],
                              reason: try row["reason"], occurredAt: try row["occurred_at"], receivedAt: try row["received_at"],
                              staffId: try row["staff_id"])
            }
        }
    }

    /// How far back a device's event time may go while its sequence goes up before the device is flagged.
    static let clockStepBack: TimeInterval = 600

    /// Flags the device when this event's time goes back by more than ``clockStepBack`` against an event of a lower
    /// sequence, or forward against one of a higher sequence (events may arrive out of order): the counter's clock
    /// was set back, and its offline verdicts need a look (`counter-hub devices`).
    static func checkClock(of device: HubDevice, sequence: Int64, occurredAt: Date, now: Date, _ sql: any HubSQL) throws {
        let earlier = try sql.value(Date.self, """
            SELECT occurred_at FROM event WHERE device_id = ? AND device_sequence < ? ORDER BY device_sequence DESC LIMIT 1
            """, [device.id, sequence])
        let later = try sql.value(Date.self, """
            SELECT occurred_at FROM event WHERE device_id = ? AND device_sequence > ? ORDER BY device_sequence LIMIT 1
            """, [device.id, sequence])
        let back = max(earlier.map { $0.timeIntervalSince(occurredAt) } ?? 0, later.map { occurredAt.timeIntervalSince($0) } ?? 0)
        guard back > clockStepBack else { return }
        try sql.execute("""
            UPDATE device SET clock_went_back_at = ?1,
                clock_went_back_seconds = CASE WHEN COALESCE(clock_went_back_seconds, 0) > ?2 THEN clock_went_back_seconds ELSE ?2 END
            WHERE id = ?3
            """, [now, back, device.id])
    }

    /// Whether a resent event carries the same content as the stored one: every field present in both has the
    /// same value. An optional field only one of them has does not count, so a counter that learned to send one
    /// in an upgrade, resending an event whose answer was lost, gets `duplicate`, not `id_reused`.
    static func sameContent(stored: String, resent: String) -> Bool {
        if stored == resent { return true }
        let decoder = WireJSON.decoder()
        guard let old = try? decoder.decode(EventsRequest.Event.self, from: Data(stored.utf8)),
              let new = try? decoder.decode(EventsRequest.Event.self, from: Data(resent.utf8)) else { return false }
        func same<Value: Equatable>(_ path: KeyPath<EventsRequest.Event, Value?>) -> Bool {
            old[keyPath: path] == nil || new[keyPath: path] == nil || old[keyPath: path] == new[keyPath: path]
        }
        return old.type == new.type && old.id.lowercased() == new.id.lowercased() && old.occurredAt == new.occurredAt
            && old.clockSuspect == new.clockSuspect
            && same(\.deviceSequence) && same(\.tokenId) && same(\.campaignId) && same(\.shopId) && same(\.uses)
            && same(\.via) && same(\.codeLast4) && same(\.source) && same(\.redemptionId) && same(\.reason)
            && same(\.codeHash) && same(\.detail) && same(\.staffId) && same(\.approvedBy)
    }
}

/// One event as counter-hub stored it.
public struct ReceivedEvent: Codable, Sendable, Equatable {
    public var id: String
    public var type: String
    public var deviceId: String
    public var deviceSequence: Int64?
    public var tokenId: String?
    public var redemptionId: String?
    public var uses: Int
    public var status: String
    public var reason: String?
    public var occurredAt: Date
    public var receivedAt: Date
    /// The staff member the counter recorded; `nil` for nobody.
    public var staffId: String?
}
