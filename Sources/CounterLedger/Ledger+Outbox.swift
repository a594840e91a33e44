import CounterCore
import Foundation
import GRDB

/// One pending outbox entry with the fields `POST /v1/events` sends for its kind (docs/protocol.md).
///
/// One flat shape for the three kinds: a field the contract does not define for `kind` is `nil`.
public struct OutboxEvent: Sendable, Equatable {
    /// The outbox row id (upload order within a priority).
    public var outboxID: Int64
    /// Redemption, void or rejection: the event's `type`.
    public var kind: OutboxKind
    /// The event's UUID, lower case: its identity on the server forever (`outbox.item_id`).
    public var id: String
    /// The device's clock when it happened.
    public var occurredAt: Date
    /// Whether counterd distrusted its clock when it happened.
    public var clockSuspect: Bool
    /// The gap-free device sequence number; redemptions and voids only.
    public var deviceSequence: Int64?
    /// The token, 32 hex: always for a redemption, when known for a rejection.
    public var tokenID: String?
    /// The campaign the device saw: always for a redemption, when known for a rejection.
    public var campaignID: String?
    /// The device's shop; redemptions only.
    public var shopID: String?
    /// Uses taken; redemptions only.
    public var uses: Int?
    /// What the device trusted (`cache` or `signed_code`); redemptions only.
    public var via: String?
    /// The end of the canonical code; redemptions only.
    public var codeLast4: String?
    /// The redeemed event a void cancels (its UUID, lower case); voids only.
    public var redemptionID: String?
    /// Free text for a void, the verdict reason code for a rejection.
    public var reason: String?
    /// SHA-256 of the canonical code, 64 lower-case hex; rejections only, `nil` when the scan never became a code.
    public var codeHash: String?
    /// The verdict's detail text; rejections only, optional.
    public var detail: String?
    /// The scanner name, `api`, `counterctl`, …; every kind.
    public var source: String
    /// The staff member signed in; every kind, `nil` for nobody.
    public var staffID: String?
    /// The manager who approved a void (授权); voids only, `nil` when nobody had to.
    public var approvedBy: String?
    /// A shift close's Z report and device-sequence range; shift closes only.
    public var shift: ShiftClose?

    /// What a `shift_close` event carries: the Z report, and the sequences after `afterSequence` up to `lastSequence`.
    public struct ShiftClose: Sendable, Equatable {
        public var report: ShiftReport
        public var afterSequence: Int64
        public var lastSequence: Int64
    }

    /// Makes an event; fields the contract does not define for `kind` stay `nil`.
    public init(outboxID: Int64, kind: OutboxKind, id: String, occurredAt: Date, clockSuspect: Bool,
                deviceSequence: Int64? = nil, tokenID: String? = nil, campaignID: String? = nil, shopID: String? = nil,
                uses: Int? = nil, via: String? = nil, codeLast4: String? = nil, redemptionID: String? = nil,
                reason: String? = nil, codeHash: String? = nil, detail: String? = nil, source: String, staffID: String? = nil,
                approvedBy: String? = nil, shift: ShiftClose? = nil) {
        self.outboxID = outboxID
        self.kind = kind
        self.id = id
        self.occurredAt = occurredAt
        self.clockSuspect = clockSuspect
        self.deviceSequence = deviceSequence
        self.tokenID = tokenID
        self.campaignID = campaignID
        self.shopID = shopID
        self.uses = uses
        self.via = via
        self.codeLast4 = codeLast4
        self.redemptionID = redemptionID
        self.reason = reason
        self.codeHash = codeHash
        self.detail = detail
        self.source = source
        self.staffID = staffID
        self.approvedBy = approvedBy
        self.shift = shift
    }
}

/// The server's answer for one uploaded event.
public enum DeliveryResult: Sendable, Equatable {
    /// Stored now: the entry becomes `delivered`.
    case accepted
    /// Already stored with the same content: the entry becomes `delivered`.
    case duplicate
    /// Stored and flagged for review: the entry becomes `delivered` and keeps the reason.
    case conflict(reason: String?)
    /// Permanently unusable: the entry becomes `dead` with the reason.
    case rejected(reason: String?)

    /// The value of `outbox.result`: the protocol's status.
    var status: String {
        switch self {
        case .accepted: return "accepted"
        case .duplicate: return "duplicate"
        case .conflict: return "conflict"
        case .rejected: return "rejected"
        }
    }

    /// The value of `outbox.state` after this answer.
    var state: String {
        switch self {
        case .accepted, .duplicate, .conflict: return "delivered"
        case .rejected: return "dead"
        }
    }

    /// The server's reason, when it gave one.
    var reason: String? {
        switch self {
        case .accepted, .duplicate: return nil
        case let .conflict(reason), let .rejected(reason): return reason
        }
    }
}

/// Outbox counts for `counterctl status`.
public struct OutboxCounts: Sendable, Equatable {
    /// Entries waiting for upload.
    public var pending: Int
    /// Entries the server answered `accepted`, `duplicate` or `conflict`.
    public var delivered: Int
    /// Dead letters: rejected by the server or given up by counterd.
    public var dead: Int
    /// Delivered entries the server flagged as `conflict`.
    public var conflicts: Int
    /// When the oldest pending entry was queued; `nil` when nothing is pending.
    public var oldestPendingAt: Date?

    /// Makes a set of counts.
    public init(pending: Int, delivered: Int, dead: Int, conflicts: Int, oldestPendingAt: Date?) {
        self.pending = pending
        self.delivered = delivered
        self.dead = dead
        self.conflicts = conflicts
        self.oldestPendingAt = oldestPendingAt
    }
}

/// An outbox entry that will never be sent again, for `counterctl status`.
/// Where an outbox entry stands.
public enum OutboxState: String, Sendable, CaseIterable {
    case pending, delivered, dead
}

/// One outbox entry as `counterctl outbox list` shows it.
public struct OutboxEntry: Sendable, Equatable {
    public var eventID: String
    public var kind: OutboxKind
    public var state: OutboxState
    /// Upload attempts so far.
    public var attempts: Int
    /// Refusals of the event sent alone since its last delivery or re-queue.
    public var refusals: Int
    /// The latest error, or why it became a dead letter.
    public var lastError: String?
    public var createdAt: Date
    /// When it became a dead letter.
    public var failedAt: Date?
}

public struct DeadLetter: Sendable, Equatable {
    /// The event's UUID, lower case.
    public var eventID: String
    /// What the event is.
    public var kind: OutboxKind
    /// The server's rejection reason, or why counterd gave up.
    public var reason: String?
    /// When it became a dead letter.
    public var failedAt: Date?

    /// Makes a dead letter.
    public init(eventID: String, kind: OutboxKind, reason: String?, failedAt: Date?) {
        self.eventID = eventID
        self.kind = kind
        self.reason = reason
        self.failedAt = failedAt
    }
}

extension Ledger {
    /// Up to `limit` pending events in upload order: redemptions and voids by outbox id (= device sequence), then rejections.
    ///
    /// An entry whose event row is missing cannot be sent and is left out (it stays pending).
    public func pendingOutbox(limit: Int) async throws -> [OutboxEvent] {
        let limit = max(0, limit)
        return try await writer.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT o.id AS outbox_id, o.kind AS kind, o.item_id AS item_id,
                       COALESCE(r.redeemed_at, v.voided_at, j.scanned_at, s.closed_at) AS occurred_at,
                       COALESCE(r.clock_suspect, v.clock_suspect, j.clock_suspect, 0) AS clock_suspect,
                       COALESCE(r.device_sequence, v.device_sequence) AS device_sequence,
                       COALESCE(r.token_id, j.token_id) AS token_id,
                       COALESCE(r.campaign_id, j.campaign_id) AS campaign_id,
                       r.shop_id AS shop_id, r.uses AS uses, r.via AS via, r.code_last4 AS code_last4,
                       v.redemption_id AS redemption_id,
                       COALESCE(v.reason, j.reason) AS reason,
                       j.code_hash AS code_hash, j.detail AS detail,
                       COALESCE(r.source, v.source, j.source, 'counterd') AS source,
                       COALESCE(r.staff_id, v.staff_id, j.staff_id) AS staff_id, v.approved_by AS approved_by,
                       s.closed_at AS shift_closed_at, s.report AS shift_report, s.after_sequence AS shift_after,
                       s.last_sequence AS shift_last
                FROM outbox o
                LEFT JOIN redemption r ON o.kind = 'redemption' AND r.id = o.item_id
                LEFT JOIN void v ON o.kind = 'void' AND v.id = o.item_id
                LEFT JOIN rejection j ON o.kind = 'rejection' AND j.id = o.item_id
                LEFT JOIN shift s ON o.kind = 'shift_close' AND s.id = o.item_id
                WHERE o.state = 'pending' AND COALESCE(r.id, v.id, j.id, s.id) IS NOT NULL
                ORDER BY o.priority, o.id
                LIMIT ?
                """), arguments: [limit])
            return rows.compactMap { row -> OutboxEvent? in
                let kindName: String = row["kind"]
                guard let kind = OutboxKind(rawValue: kindName) else { return nil }
                let outboxID: Int64 = row["outbox_id"]
                let id: String = row["item_id"]
                var shift: OutboxEvent.ShiftClose?
                if kind == .shiftClose {
                    guard let text: String = row["shift_report"], let last: Int64 = row["shift_last"],
                          let report = try? WireJSON.decoder().decode(ShiftReport.self, from: Data(text.utf8)) else { return nil }
                    shift = OutboxEvent.ShiftClose(report: report, afterSequence: row["shift_after"], lastSequence: last)
                }
                let occurredAt: Date = row["occurred_at"]
                let clockSuspect: Bool = row["clock_suspect"]
                let deviceSequence: Int64? = row["device_sequence"]
                let tokenID: String? = row["token_id"]
                let campaignID: String? = row["campaign_id"]
                let shopID: String? = row["shop_id"]
                let uses: Int? = row["uses"]
                let via: String? = row["via"]
                let codeLast4: String? = row["code_last4"]
                let redemptionID: String? = row["redemption_id"]
                let reason: String? = row["reason"]
                let codeHash: Data? = row["code_hash"]
                let detail: String? = row["detail"]
                let source: String = row["source"]
                return OutboxEvent(outboxID: outboxID, kind: kind, id: id, occurredAt: occurredAt,
                                   clockSuspect: clockSuspect, deviceSequence: deviceSequence, tokenID: tokenID,
                                   campaignID: campaignID, shopID: shopID, uses: uses, via: via, codeLast4: codeLast4,
                                   redemptionID: redemptionID, reason: reason, codeHash: codeHash.map { Hex.encode($0) },
                                   detail: detail, source: source, staffID: row["staff_id"], approvedBy: row["approved_by"],
                                   shift: shift)
            }
        }
    }

    /// Records the server's answers for uploaded events in one transaction; entries no longer pending are left as they are.
    public func recordDelivery(_ results: [(eventID: String, result: DeliveryResult)], at now: Date) async throws {
        guard !results.isEmpty else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET state = ?, result = ?, result_reason = ?, delivered_at = ?, attempts = attempts + 1,
                    refusals = 0, first_refused_at = NULL
                WHERE item_id = ? AND state = 'pending'
                """)
            for item in results {
                let result = item.result
                try statement.execute(arguments: [result.state, result.status, result.reason, now, item.eventID])
            }
        }
    }

    /// Counts a failed upload attempt of pending events and keeps its error; they stay pending.
    public func recordUploadFailure(eventIDs: [String], error: String) async throws {
        guard !eventIDs.isEmpty else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE item_id = ? AND state = 'pending'
                """)
            for eventID in eventIDs {
                try statement.execute(arguments: [error, eventID])
            }
        }
    }

    /// Moves pending events counterd gives up on (a 400 or 413 that repeats for one event) to the dead-letter state.
    ///
    /// Counts the failed attempt; `result` stays `NULL` (the server never answered for the event).
    public func deadLetter(eventIDs: [String], reason: String, at now: Date) async throws {
        guard !eventIDs.isEmpty else { return }
        try await writer.write { db in
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET state = 'dead', result_reason = ?, last_error = ?, delivered_at = ?,
                    attempts = attempts + 1
                WHERE item_id = ? AND state = 'pending'
                """)
            for eventID in eventIDs {
                try statement.execute(arguments: [reason, reason, now, eventID])
            }
        }
    }

    /// Pending, delivered, dead and conflict counts and the age of the queue.
    public func outboxCounts() async throws -> OutboxCounts {
        try await writer.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COALESCE(SUM(state = 'pending'), 0) AS pending,
                       COALESCE(SUM(state = 'delivered'), 0) AS delivered,
                       COALESCE(SUM(state = 'dead'), 0) AS dead,
                       COALESCE(SUM(state = 'delivered' AND result = 'conflict'), 0) AS conflicts,
                       MIN(CASE WHEN state = 'pending' THEN created_at END) AS oldest_pending_at
                FROM outbox
                """)
            guard let row else { return OutboxCounts(pending: 0, delivered: 0, dead: 0, conflicts: 0, oldestPendingAt: nil) }
            let pending: Int = row["pending"]
            let delivered: Int = row["delivered"]
            let dead: Int = row["dead"]
            let conflicts: Int = row["conflicts"]
            let oldestPendingAt: Date? = row["oldest_pending_at"]
            return OutboxCounts(pending: pending, delivered: delivered, dead: dead, conflicts: conflicts,
                                oldestPendingAt: oldestPendingAt)
        }
    }

    /// Up to `limit` dead letters, the most recently failed first.
    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        let limit = max(0, limit)
        return try await writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT item_id, kind, result_reason AS reason, delivered_at
                FROM outbox
                WHERE state = 'dead'
                ORDER BY delivered_at DESC, id DESC
                LIMIT ?
                """, arguments: [limit])
            return rows.compactMap { row -> DeadLetter? in
                let kindName: String = row["kind"]
                guard let kind = OutboxKind(rawValue: kindName) else { return nil }
                let eventID: String = row["item_id"]
                let reason: String? = row["reason"]
                let failedAt: Date? = row["delivered_at"]
                return DeadLetter(eventID: eventID, kind: kind, reason: reason, failedAt: failedAt)
            }
        }
    }

    /// Counts one more refusal of a pending event sent alone, keeping the error, and answers how many refusals
    /// there have been since the first (a delivery clears them).
    public func recordRefusal(eventID: String, error: String, at now: Date) async throws -> (count: Int, since: Date) {
        try await writer.write { db in
            try db.execute(sql: """
                UPDATE outbox SET attempts = attempts + 1, last_error = ?, refusals = refusals + 1,
                    first_refused_at = COALESCE(first_refused_at, ?)
                WHERE item_id = ? AND state = 'pending'
                """, arguments: [error, now, eventID])
            let row = try Row.fetchOne(db, sql: "SELECT refusals, first_refused_at FROM outbox WHERE item_id = ?",
                                       arguments: [eventID])
            let count: Int = row?["refusals"] ?? 0
            let since: Date = row?["first_refused_at"] ?? now
            return (count, since)
        }
    }

    /// Outbox entries in one state (`pending` or `dead`), oldest first, for `counterctl outbox list`.
    public func outboxEntries(state: OutboxState, limit: Int) async throws -> [OutboxEntry] {
        let limit = max(0, limit)
        return try await writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT item_id, kind, state, attempts, refusals, last_error, result_reason, created_at, delivered_at
                FROM outbox WHERE state = ? ORDER BY id LIMIT ?
                """, arguments: [state.rawValue, limit]).compactMap { row -> OutboxEntry? in
                let kindName: String = row["kind"]
                guard let kind = OutboxKind(rawValue: kindName) else { return nil }
                let reason: String? = row["result_reason"]
                let lastError: String? = row["last_error"]
                return OutboxEntry(eventID: row["item_id"], kind: kind, state: state, attempts: row["attempts"],
                                   refusals: row["refusals"], lastError: reason ?? lastError,
                                   createdAt: row["created_at"], failedAt: row["delivered_at"])
            }
        }
    }

    /// Puts dead letters back in the upload queue, their refusals forgotten: the ones named, or all of them when
    /// `eventIDs` is `nil`. Answers the ids re-queued (ids that are not dead letters are left alone).
    public func requeueDeadLetters(_ eventIDs: [String]?) async throws -> [String] {
        try await writer.write { db in
            let ids: [String]
            if let eventIDs {
                let dead = try db.cachedStatement(sql: "SELECT item_id FROM outbox WHERE state = 'dead' AND item_id = ?")
                ids = try eventIDs.compactMap { try String.fetchOne(dead, arguments: [$0.lowercased()]) }
            } else {
                ids = try String.fetchAll(db, sql: "SELECT item_id FROM outbox WHERE state = 'dead' ORDER BY id")
            }
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET state = 'pending', result = NULL, result_reason = NULL, delivered_at = NULL, refusals = 0,
                    first_refused_at = NULL, last_error = 'requeued by hand'
                WHERE item_id = ? AND state = 'dead'
                """)
            for id in ids { try statement.execute(arguments: [id]) }
            return ids
        }
    }

    /// A hub restored from an older backup answers an `acknowledged_sequence` below what this counter delivered: the
    /// events it lost would stay "delivered" here forever and never be paid. Puts every delivered redemption and void
    /// whose device sequence is above `acknowledged` back in the queue, in one transaction, and only once for each
    /// acknowledged value (a gap the hub can never fill, such as a dead letter, does not re-queue on every batch).
    /// Events the hub still has come back `duplicate`.
    /// - Returns: the ids put back in the queue, in device-sequence order.
    public func requeueUnacknowledged(above acknowledged: Int64) async throws -> [String] {
        // Called after every uploaded batch: the usual answer acknowledges every sequence this counter has handed
        // out, which one row tells, without the write lock a redemption may be waiting for.
        let lastSequence = try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state") ?? 0 }
        guard acknowledged < lastSequence else { return [] }
        return try await writer.write { db in
            let handled = try Int64.fetchOne(db, sql: "SELECT requeued_for_acknowledged FROM sync_state WHERE id = 1")
            guard handled != acknowledged else { return [] }
            // From the device-sequence indexes: only the events above the acknowledged value are read, never the
            // whole delivered history.
            let ids = try String.fetchAll(db, sql: """
                SELECT item_id FROM (
                    SELECT o.item_id, r.device_sequence AS sequence FROM redemption r
                    JOIN outbox o ON o.kind = 'redemption' AND o.item_id = r.id
                    WHERE r.device_sequence > ? AND o.state = 'delivered'
                    UNION ALL
                    SELECT o.item_id, v.device_sequence AS sequence FROM void v
                    JOIN outbox o ON o.kind = 'void' AND o.item_id = v.id
                    WHERE v.device_sequence > ? AND o.state = 'delivered'
                ) ORDER BY sequence
                """, arguments: [acknowledged, acknowledged])
            guard !ids.isEmpty else { return [] }
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET state = 'pending', result = NULL, result_reason = NULL, delivered_at = NULL,
                    last_error = ? WHERE item_id = ? AND state = 'delivered'
                """)
            let note = "re-queued: the hub acknowledged only up to device sequence \(acknowledged) (restored from a backup?)"
            for id in ids { try statement.execute(arguments: [note, id]) }
            try db.execute(sql: "UPDATE sync_state SET requeued_for_acknowledged = ? WHERE id = 1", arguments: [acknowledged])
            return ids
        }
    }
}
