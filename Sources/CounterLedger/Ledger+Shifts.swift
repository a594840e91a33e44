import CounterCore
import Foundation
import GRDB

/// Why a shift cannot be opened or closed.
public enum ShiftError: Error, Equatable, CustomStringConvertible {
    case alreadyOpen(since: Date)
    case noOpenShift

    public var description: String {
        switch self {
        case .alreadyOpen(let since): "a shift is already open (since \(RFC3339.string(since))); close it first"
        case .noOpenShift: "no shift is open; open one first"
        }
    }
}

/// Shifts (交班) and their reports, all from the ledger (docs/staff-and-shifts.md). A shift covers the device sequences
/// after the last one handed out before it opened, up to the last one at its close, and the rejected scans of its time.
/// Closing one fixes its Z report and queues a `shift_close` event: the hub answers whether it holds every event of
/// that range (对账).
extension Ledger {
    /// Opens a shift; one at a time.
    public func openShift(by staffID: String?, at now: Date = Date()) async throws -> ShiftReport {
        try await writer.write { db in
            if let open = try Row.fetchOne(db, sql: "SELECT opened_at FROM shift WHERE closed_at IS NULL") {
                throw ShiftError.alreadyOpen(since: open["opened_at"])
            }
            let id = UUIDv7.make(now: now).lowercasedString
            // After the last close, so that what happened between a close and this opening is in this shift's report and
            // 对账; before any close, from now.
            let after = try Int64.fetchOne(db, sql: "SELECT MAX(last_sequence) FROM shift")
                ?? Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state") ?? 0
            try db.execute(sql: """
                INSERT INTO shift (id, kind, opened_at, opened_by, after_sequence) VALUES (?, 'shift', ?, ?, ?)
                """, arguments: [id, now, staffID, after])
            guard let report = try Self.report(ofShift: id, at: now, db) else { throw ShiftError.noOpenShift }
            return report
        }
    }

    /// The open shift's X report; `nil` when none is open.
    public func currentShift(at now: Date = Date()) async throws -> ShiftReport? {
        try await writer.read { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM shift WHERE closed_at IS NULL") else { return nil }
            return try Self.report(ofShift: id, at: now, db)
        }
    }

    /// Closes the open shift and answers its Z report; the close is queued for the hub (`shift_close`).
    public func closeShift(by staffID: String?, at now: Date = Date()) async throws -> ShiftReport {
        try await writer.write { db in
            guard let id = try String.fetchOne(db, sql: "SELECT id FROM shift WHERE closed_at IS NULL") else {
                throw ShiftError.noOpenShift
            }
            return try self.close(id, kind: .shift, by: staffID, at: now, db)
        }
    }

    /// The day close (日结): closes the open shift as a day close, or, with none open, makes a day close of what happened
    /// since the last close (so that every day is reconciled). `nil` when there was nothing to close.
    public func closeDay(at now: Date = Date()) async throws -> ShiftReport? {
        try await writer.write { db in
            if let id = try String.fetchOne(db, sql: "SELECT id FROM shift WHERE closed_at IS NULL") {
                return try self.close(id, kind: .day, by: nil, at: now, db)
            }
            // After the last close; before the first one (a counter upgraded with months of history), the last day only.
            let dayBefore = now.addingTimeInterval(-86_400)
            let after = try Int64.fetchOne(db, sql: "SELECT MAX(last_sequence) FROM shift") ?? Int64.fetchOne(db, sql: """
                SELECT MAX(sequence) FROM (
                    SELECT MAX(device_sequence) AS sequence FROM redemption WHERE redeemed_at < ?1
                    UNION ALL SELECT MAX(device_sequence) FROM void WHERE voided_at < ?1)
                """, arguments: [dayBefore]) ?? 0
            let since = try Date.fetchOne(db, sql: "SELECT MAX(closed_at) FROM shift")
            let last = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state") ?? 0
            let rejections = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM rejection WHERE scanned_at >= ?",
                                              arguments: [since ?? dayBefore]) ?? 0
            guard last > after || rejections > 0 else { return nil }
            // Opened at the last close, or, before the first, at the first thing that happened.
            let first = try Date.fetchOne(db, sql: """
                SELECT MIN(at) FROM (
                    SELECT MIN(redeemed_at) AS at FROM redemption WHERE device_sequence > ?1
                    UNION ALL SELECT MIN(voided_at) FROM void WHERE device_sequence > ?1
                    UNION ALL SELECT MIN(scanned_at) FROM rejection WHERE scanned_at >= ?2)
                """, arguments: [after, dayBefore])
            let id = UUIDv7.make(now: now).lowercasedString
            try db.execute(sql: "INSERT INTO shift (id, kind, opened_at, after_sequence) VALUES (?, 'day', ?, ?)",
                           arguments: [id, since ?? min(first ?? now, now), after])
            return try self.close(id, kind: .day, by: nil, at: now, db)
        }
    }

    /// A shift's report: the Z report of a closed one, the X report of the open one.
    public func shiftReport(id: String, at now: Date = Date()) async throws -> ShiftReport? {
        try await writer.read { db in try Self.report(ofShift: id, at: now, db) }
    }

    /// The most recent closed shifts, newest first.
    public func closedShifts(limit: Int) async throws -> [ShiftReport] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM shift WHERE closed_at IS NOT NULL ORDER BY closed_at DESC LIMIT ?",
                                arguments: [max(0, limit)]).compactMap { try Self.report(ofShift: $0, at: Date(), db) }
        }
    }

    /// When the last day close ran; `nil` before the first.
    public func lastDayClose() async throws -> Date? {
        try await writer.read { try Date.fetchOne($0, sql: "SELECT MAX(closed_at) FROM shift WHERE kind = 'day'") }
    }

    /// Records the hub's 对账 answer for a shift close. On `mismatched`, the delivered events it lacks are queued again,
    /// and so is the close, so that the hub answers again once they arrived. Returns the event ids queued again.
    public func recordReconciliation(shiftID: String, matched: Bool, missing: [Int64], at now: Date = Date()) async throws -> [String] {
        try await writer.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT after_sequence, last_sequence, reconciliation, missing_sequences FROM shift WHERE id = ?
                """, arguments: [shiftID]) else { return [] }
            let after: Int64 = row["after_sequence"]
            let last: Int64 = row["last_sequence"] ?? after
            // Only sequences of this shift count: a hostile answer cannot make the counter resend anything else.
            let missing = Array(Set(missing.filter { $0 > after && $0 <= last })).sorted()
            let status = matched ? "matched" : "mismatched"
            let missingText = missing.map(String.init).joined(separator: ",")
            // The same answer again, after those events were sent again: the hub does not take them. Sending them once
            // more would loop (a hub that always answers so); the close stays mismatched for a person to look at.
            let sameAnswerAgain = (row["reconciliation"] as String?) == "mismatched" && (row["missing_sequences"] as String?) == missingText
            try db.execute(sql: """
                UPDATE shift SET reconciliation = ?, missing_sequences = ?, reconciled_at = ? WHERE id = ?
                """, arguments: [status, missingText, now, shiftID])
            guard !matched, !missing.isEmpty, !sameAnswerAgain else { return [] }
            var requeued: [String] = []
            let note = "re-queued: the hub's reconciliation of shift \(shiftID) lacks it"
            for chunk in stride(from: 0, to: missing.count, by: 500).map({ Array(missing[$0..<min($0 + 500, missing.count)]) }) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let ids = try String.fetchAll(db, sql: """
                    SELECT o.item_id FROM outbox o
                    LEFT JOIN redemption r ON o.kind = 'redemption' AND r.id = o.item_id
                    LEFT JOIN void v ON o.kind = 'void' AND v.id = o.item_id
                    WHERE o.state = 'delivered' AND COALESCE(r.device_sequence, v.device_sequence) IN (\(marks))
                    """, arguments: StatementArguments(chunk))
                requeued += ids
            }
            guard !requeued.isEmpty else { return [] }
            let statement = try db.cachedStatement(sql: """
                UPDATE outbox SET state = 'pending', result = NULL, result_reason = NULL, delivered_at = NULL, last_error = ?
                WHERE item_id = ?
                """)
            for id in requeued + [shiftID] { try statement.execute(arguments: [note, id]) }
            return requeued
        }
    }

    private func close(_ id: String, kind: ShiftReport.Kind, by staffID: String?, at now: Date, _ db: Database) throws -> ShiftReport {
        let last = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state") ?? 0
        try db.execute(sql: "UPDATE shift SET kind = ?, closed_at = ?, closed_by = ?, last_sequence = ? WHERE id = ?",
                       arguments: [kind.rawValue, now, staffID, last, id])
        guard var report = try Self.report(ofShift: id, at: now, db) else { throw ShiftError.noOpenShift }
        report.reconciliation = ShiftReport.Reconciliation(status: "pending")
        // The Z report is fixed at the close: later campaign changes do not alter it.
        try db.execute(sql: "UPDATE shift SET report = ?, reconciliation = 'pending' WHERE id = ?",
                       arguments: [String(decoding: try WireJSON.encoder().encode(report), as: UTF8.self), id])
        try enqueue(.shiftClose, itemID: id, at: now, db)
        return report
    }

    /// The report of a shift: the stored Z report of a closed one (with its latest reconciliation), or the figures of
    /// the open one computed now.
    static func report(ofShift id: String, at now: Date, _ db: Database) throws -> ShiftReport? {
        guard let shift = try Row.fetchOne(db, sql: "SELECT * FROM shift WHERE id = ?", arguments: [id]) else { return nil }
        let reconciliation: String? = shift["reconciliation"]
        if let text: String = shift["report"], var report = try? WireJSON.decoder().decode(ShiftReport.self, from: Data(text.utf8)) {
            if let reconciliation {
                let missing: String = shift["missing_sequences"] ?? ""
                report.reconciliation = ShiftReport.Reconciliation(
                    status: reconciliation, missingSequences: missing.split(separator: ",").compactMap { Int64($0) },
                    checkedAt: shift["reconciled_at"])
            }
            return report
        }
        let after: Int64 = shift["after_sequence"]
        let last: Int64 = try shift["last_sequence"] ?? Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state") ?? after
        let openedAt: Date = shift["opened_at"]
        let closedAt: Date? = shift["closed_at"]
        return try figures(id: id, kind: ShiftReport.Kind(rawValue: shift["kind"]) ?? .shift, openedAt: openedAt,
                           openedBy: shift["opened_by"], closedAt: closedAt, closedBy: shift["closed_by"],
                           after: after, last: last, until: closedAt ?? now, db)
    }

    // swiftlint:disable:next function_parameter_count
    private static func figures(id: String, kind: ShiftReport.Kind, openedAt: Date, openedBy: String?, closedAt: Date?,
                                closedBy: String?, after: Int64, last: Int64, until: Date, _ db: Database) throws -> ShiftReport {
        var names: [String: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name FROM staff") { names[row["id"]] = row["name"] }
        var campaigns: [String: ShiftReport.CampaignLine] = [:]
        var staff: [String: ShiftReport.StaffLine] = [:]
        var redemptions = ShiftReport.Totals(), voids = ShiftReport.Totals(), training = ShiftReport.Totals()
        var sequences: [Int64] = []
        let key = { (id: String?) in id ?? "" }
        for row in try Row.fetchAll(db, sql: """
            SELECT r.device_sequence, r.campaign_id, r.uses, r.staff_id, r.training, c.title, c.face_value_fen, c.shop_reward_fen
            FROM redemption r LEFT JOIN campaign c ON c.id = r.campaign_id
            WHERE r.device_sequence > ? AND r.device_sequence <= ? ORDER BY r.device_sequence
            """, arguments: [after, last]) {
            let campaign: String = row["campaign_id"], uses: Int = row["uses"], staffID: String? = row["staff_id"]
            let face: Int = row["face_value_fen"] ?? 0, reward: Int = row["shop_reward_fen"] ?? 0
            sequences.append(row["device_sequence"])
            if row["training"] as Bool {
                training.add(uses: uses, faceValueFen: 0, rewardFen: 0)
                continue
            }
            campaigns[campaign, default: .init(campaignId: campaign, title: row["title"], totals: .init())]
                .totals.add(uses: uses, faceValueFen: face, rewardFen: reward)
            redemptions.add(uses: uses, faceValueFen: face, rewardFen: reward)
            staff[key(staffID), default: .init(staffId: staffID, name: staffID.flatMap { names[$0] })].redemptions += 1
            staff[key(staffID)]!.uses = staff[key(staffID)]!.uses.saturatingAdding(uses)
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT v.device_sequence, v.staff_id, r.uses, r.training, c.face_value_fen, c.shop_reward_fen
            FROM void v JOIN redemption r ON r.id = v.redemption_id LEFT JOIN campaign c ON c.id = r.campaign_id
            WHERE v.device_sequence > ? AND v.device_sequence <= ?
            """, arguments: [after, last]) {
            let staffID: String? = row["staff_id"]
            sequences.append(row["device_sequence"])
            // A practice redemption's void takes back nothing that counted.
            if row["training"] as Bool { continue }
            voids.add(uses: row["uses"], faceValueFen: row["face_value_fen"] ?? 0, rewardFen: row["shop_reward_fen"] ?? 0)
            staff[key(staffID), default: .init(staffId: staffID, name: staffID.flatMap { names[$0] })].voids += 1
        }
        let rejections = try Row.fetchAll(db, sql: """
            SELECT reason, COUNT(*) AS count FROM rejection WHERE scanned_at >= ? AND scanned_at < ?
            GROUP BY reason ORDER BY count DESC, reason
            """, arguments: [openedAt, until]).map { ShiftReport.ReasonCount(reason: $0["reason"], count: $0["count"]) }
        var report = ShiftReport(shiftId: id, kind: kind, openedAt: openedAt, openedBy: openedBy, closedAt: closedAt, closedBy: closedBy,
                                 firstSequence: sequences.min(), lastSequence: sequences.max(),
                                 campaigns: campaigns.values.sorted { $0.campaignId < $1.campaignId }, redemptions: redemptions,
                                 voids: voids, rejections: rejections,
                                 rewardFen: redemptions.rewardFen.saturatingAdding(-voids.rewardFen),
                                 staff: staff.values.sorted { ($0.staffId ?? "") < ($1.staffId ?? "") })
        report.training = training.count > 0 ? training : nil
        return report
    }
}
