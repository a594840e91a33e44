import Foundation
import GRDB

/// A receipt waiting for, or sent to, the printer.
public struct ReceiptJob: Sendable, Equatable {
    public enum Kind: String, Sendable { case redemption, void }

    /// `pending` until CUPS accepts it, `submitted` while CUPS prints it, then `printed` or `failed`.
    public enum State: String, Sendable { case pending, submitted, printed, failed }

    public var id: Int64
    public var kind: Kind
    /// The redemption id, or the void id for a void slip.
    public var itemID: String
    public var redemptionID: String
    public var isReprint: Bool
    /// Uses left on the token right after the redemption (what the receipt shows).
    public var usesLeft: Int?
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var printer: String?
    public var cupsJobID: Int32?
    public var lastError: String?
    public var createdAt: Date
}

/// What a receipt shows, read from the ledger: the redemption, its campaign, and the void if any.
public struct ReceiptFacts: Sendable, Equatable {
    public var redemptionID: String
    public var shopID: String
    public var shopName: String?
    public var deviceID: String
    public var campaignTitle: String?
    public var product: String?
    public var faceValueFen: Int?
    public var shopRewardFen: Int?
    public var uses: Int
    public var codeLastFour: String
    public var redeemedAt: Date
    public var redemptionSequence: Int64
    /// Present for a void slip.
    public var void: Void?
    /// The name of the staff member who redeemed, as the counter knows them now; `nil` for nobody.
    public var staffName: String?
    /// A practice redemption (练习模式): its receipt says so.
    public var training = false

    public struct Void: Sendable, Equatable {
        public var id: String
        public var sequence: Int64
        public var reason: String
        public var voidedAt: Date
        /// Who voided; `nil` for nobody.
        public var staffName: String?
    }
}

/// How the receipt queue stands, for `status`.
public struct ReceiptQueueCounts: Sendable, Equatable {
    public var pending = 0
    public var submitted = 0
    public var printed = 0
    public var failed = 0
    public var oldestPendingAt: Date?
    public var lastError: String?
}

extension Ledger {
    /// Queues the receipt of a committed redemption or void. The original receipt of an item is
    /// queued once: a second call returns `nil`. Reprints are always queued.
    @discardableResult
    public func enqueueReceipt(_ kind: ReceiptJob.Kind, itemID: String, redemptionID: String, usesLeft: Int?,
                               reprint: Bool = false, at now: Date = Date()) async throws -> Int64? {
        try await writer.write { db in
            var usesLeft = usesLeft
            if reprint, usesLeft == nil {
                usesLeft = try Int.fetchOne(db, sql: """
                    SELECT uses_left FROM receipt_job WHERE kind = ? AND item_id = ? AND reprint = 0
                    """, arguments: [kind.rawValue, itemID])
            }
            try db.execute(sql: """
                INSERT INTO receipt_job (kind, item_id, redemption_id, reprint, uses_left, next_attempt_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, arguments: [kind.rawValue, itemID, redemptionID, reprint, usesLeft, now, now])
            return db.changesCount == 1 ? db.lastInsertedRowID : nil
        }
    }

    /// Pending receipts whose next attempt is due, oldest first.
    public func dueReceiptJobs(now: Date = Date(), limit: Int = 20) async throws -> [ReceiptJob] {
        try await writer.read { db in
            try ReceiptJobRecord.fetchAll(db, sql: """
                SELECT * FROM receipt_job WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?
                """, arguments: [now, limit]).map(\.job)
        }
    }

    /// When the earliest pending receipt is due, if any is pending.
    public func nextReceiptAttempt() async throws -> Date? {
        try await writer.read { db in
            try Date.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM receipt_job WHERE state = 'pending'")
        }
    }

    /// Receipts CUPS has accepted and not yet finished.
    public func submittedReceiptJobs() async throws -> [ReceiptJob] {
        try await writer.read { db in
            try ReceiptJobRecord.fetchAll(db, sql: "SELECT * FROM receipt_job WHERE state = 'submitted' ORDER BY id").map(\.job)
        }
    }

    /// One receipt job by id.
    public func receiptJob(_ id: Int64) async throws -> ReceiptJob? {
        try await writer.read { db in try ReceiptJobRecord.fetchOne(db, key: id)?.job }
    }

    /// CUPS accepted the job: it prints from here on, and is never submitted again.
    public func markReceiptSubmitted(_ id: Int64, printer: String, cupsJobID: Int32, at now: Date = Date()) async throws {
        try await writer.write { db in
            try db.execute(sql: """
                UPDATE receipt_job SET state = 'submitted', printer = ?, cups_job_id = ?, submitted_at = ?,
                       attempts = attempts + 1, last_error = NULL WHERE id = ?
                """, arguments: [printer, cupsJobID, now, id])
        }
    }

    /// The attempt failed for a reason that may pass: try again at `next`. The pending receipts
    /// behind it wait until then too (one failing printer is tried once per backoff, not once per receipt).
    public func markReceiptRetry(_ id: Int64, error: String, next: Date) async throws {
        try await writer.write { db in
            try db.execute(sql: """
                UPDATE receipt_job SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?
                """, arguments: [error, next, id])
            try db.execute(sql: """
                UPDATE receipt_job SET next_attempt_at = ? WHERE state = 'pending' AND id > ? AND next_attempt_at < ?
                """, arguments: [next, id, next])
        }
    }

    /// Records what CUPS says about a submitted job without ending it (e.g. the printer is off).
    public func noteReceiptProgress(_ id: Int64, error: String?) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE receipt_job SET last_error = ? WHERE id = ?", arguments: [error, id])
        }
    }

    /// The job ended: printed, or failed with a reason a person must see.
    public func markReceiptFinished(_ id: Int64, printed: Bool, error: String? = nil, at now: Date = Date()) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE receipt_job SET state = ?, last_error = ?, finished_at = ? WHERE id = ?",
                           arguments: [printed ? "printed" : "failed", error, now, id])
        }
    }

    /// Counts of the receipt queue and the latest error.
    public func receiptQueueCounts() async throws -> ReceiptQueueCounts {
        try await writer.read { db in
            var counts = ReceiptQueueCounts()
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) FROM receipt_job GROUP BY state") {
                let count: Int = row[1]
                switch ReceiptJob.State(rawValue: row[0]) {
                case .pending: counts.pending = count
                case .submitted: counts.submitted = count
                case .printed: counts.printed = count
                case .failed: counts.failed = count
                case nil: break
                }
            }
            counts.oldestPendingAt = try Date.fetchOne(db, sql: "SELECT MIN(created_at) FROM receipt_job WHERE state = 'pending'")
            counts.lastError = try String.fetchOne(db, sql: """
                SELECT last_error FROM receipt_job WHERE last_error IS NOT NULL AND state IN ('pending', 'submitted', 'failed')
                ORDER BY id DESC LIMIT 1
                """)
            return counts
        }
    }

    /// What the receipt of a redemption (and of its void, with `voidID`) shows; `nil` when the
    /// redemption is not in the ledger.
    public func receiptFacts(redemptionID: String, voidID: String? = nil) async throws -> ReceiptFacts? {
        try await writer.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT r.id, r.shop_id, s.shop_name, r.device_id, c.title, c.product, c.face_value_fen, c.shop_reward_fen,
                       r.uses, r.code_last4, r.redeemed_at, r.device_sequence, COALESCE(st.name, r.staff_id), r.training
                FROM redemption r
                LEFT JOIN campaign c ON c.id = r.campaign_id
                LEFT JOIN staff st ON st.id = r.staff_id
                LEFT JOIN sync_state s ON s.id = 1
                WHERE r.id = ?
                """, arguments: [redemptionID.lowercased()]) else { return nil }
            var facts = ReceiptFacts(redemptionID: row[0], shopID: row[1], shopName: row[2], deviceID: row[3],
                                     campaignTitle: row[4], product: row[5], faceValueFen: row[6], shopRewardFen: row[7],
                                     uses: row[8], codeLastFour: row[9], redeemedAt: row[10], redemptionSequence: row[11],
                                     staffName: row[12], training: row[13])
            if let voidID, let void = try Row.fetchOne(db, sql: """
                SELECT v.id, v.device_sequence, v.reason, v.voided_at, COALESCE(st.name, v.staff_id)
                FROM void v LEFT JOIN staff st ON st.id = v.staff_id WHERE v.id = ? AND v.redemption_id = ?
                """, arguments: [voidID.lowercased(), redemptionID.lowercased()]) {
                facts.void = .init(id: void[0], sequence: void[1], reason: void[2], voidedAt: void[3], staffName: void[4])
            }
            return facts
        }
    }

    /// The void of a redemption, if it was voided.
    public func voidID(ofRedemption redemptionID: String) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM void WHERE redemption_id = ?", arguments: [redemptionID.lowercased()])
        }
    }
}

extension Ledger {
    /// Uses left as the original receipt of a redemption recorded them.
    public func originalReceiptUsesLeft(redemptionID: String) async throws -> Int? {
        try await writer.read { db in
            try Int.fetchOne(db, sql: """
                SELECT uses_left FROM receipt_job WHERE redemption_id = ? AND kind = 'redemption' AND reprint = 0
                """, arguments: [redemptionID.lowercased()])
        }
    }
}
