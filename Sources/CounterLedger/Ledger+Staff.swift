import CounterCore
import Foundation
import GRDB

/// A staff member's PIN lock-out as the ledger keeps it (across restarts).
public struct StaffLock: Sendable, Equatable {
    /// Wrong PINs in a row since the last success or lock.
    public var failures: Int
    /// Until when the member cannot sign in; `nil` when not locked.
    public var lockedUntil: Date?

    public init(failures: Int, lockedUntil: Date?) {
        self.failures = failures
        self.lockedUntil = lockedUntil
    }
}

/// The shop's staff as the feed sends them, and their PIN lock-outs (docs/staff-and-shifts.md).
extension Ledger {
    /// Stores staff members a feed page sent whole (in the page's transaction).
    static func saveStaff(_ members: [StaffMember], generation: Int64, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO staff (id, name, role, enabled, pin_verifier, generation, badge_id) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role, enabled = excluded.enabled,
                pin_verifier = excluded.pin_verifier, generation = excluded.generation, badge_id = excluded.badge_id
            """)
        let encoder = WireJSON.encoder()
        for member in members {
            let verifier = try member.pinVerifier.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            try statement.execute(arguments: [member.id, member.name, member.role.rawValue, member.enabled, verifier, generation,
                                              member.badgeID])
        }
    }

    /// The default manager void window when the hub sets none: 24 hours.
    public static let defaultManagerVoidWindow: TimeInterval = 86_400

    /// How long after a redemption a manager may void it: the shop's setting from the feed, else 24 hours.
    public func managerVoidWindow() async throws -> TimeInterval {
        try await writer.read { db in
            try Int.fetchOne(db, sql: "SELECT manager_void_window_seconds FROM sync_state WHERE id = 1").map(TimeInterval.init)
                ?? Self.defaultManagerVoidWindow
        }
    }

    /// Every staff member the counter knows, enabled or not, by id.
    public func staffMembers() async throws -> [StaffMember] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM staff ORDER BY id").compactMap(Self.staffMember)
        }
    }

    /// One staff member, enabled or not.
    public func staffMember(id: String) async throws -> StaffMember? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM staff WHERE id = ?", arguments: [id]).flatMap(Self.staffMember)
        }
    }

    /// Whether the shop has a staff member who can sign in (enabled, with a PIN): then scans and writes need someone
    /// signed in. Members without a PIN do not count, so adding staff before their PINs locks no counter.
    public func hasStaffWhoCanSignIn() async throws -> Bool {
        try await writer.read {
            try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM staff WHERE enabled AND pin_verifier IS NOT NULL)") ?? false
        }
    }

    /// The signing key a staff badge names, if the counter has it.
    public func signingKey(id: UInt32) async throws -> SigningKey? {
        try await writer.read { db in try LedgerCatalog(db: db).signingKey(withID: id) }
    }

    /// A member's PIN lock-out state (no failures and no lock when none was recorded).
    public func staffLock(id: String) async throws -> StaffLock {
        try await writer.read { db in try Self.staffLock(id, db) }
    }

    /// Counts a PIN check before it runs, so that checks sent at once cannot slip past a lock-out. Returns the lock that
    /// refuses the check: the member's current one, or a new one when this check would be one more than `limit` wrong
    /// PINs in a row (checks still running count as wrong until they end). `nil`: go ahead.
    public func beginPINCheck(id: String, limit: Int, lockDuration: TimeInterval, at now: Date = Date()) async throws -> StaffLock? {
        try await writer.write { db in
            let current = try Self.staffLock(id, db)
            if let until = current.lockedUntil, until > now { return current }
            // An expired lock starts the count afresh.
            let failures = (current.lockedUntil == nil ? current.failures : 0) + 1
            if failures > limit {
                let lock = StaffLock(failures: 0, lockedUntil: now.addingTimeInterval(lockDuration))
                try Self.saveStaffLock(id, lock, db)
                return lock
            }
            try Self.saveStaffLock(id, StaffLock(failures: failures, lockedUntil: nil), db)
            return nil
        }
    }

    /// Ends a PIN check ``beginPINCheck(id:limit:lockDuration:at:)`` counted: a right PIN clears the count; a wrong one
    /// stays counted, and the `limit`-th in a row locks the member until `now + lockDuration`. A lock still running is
    /// never lowered. Returns the state after it.
    public func endPINCheck(id: String, correct: Bool, limit: Int, lockDuration: TimeInterval, at now: Date = Date()) async throws -> StaffLock {
        try await writer.write { db in
            if correct {
                try db.execute(sql: "DELETE FROM staff_lock WHERE staff_id = ?", arguments: [id])
                return StaffLock(failures: 0, lockedUntil: nil)
            }
            let current = try Self.staffLock(id, db)
            if let until = current.lockedUntil, until > now { return current }
            guard current.failures >= limit else { return current }
            let lock = StaffLock(failures: 0, lockedUntil: now.addingTimeInterval(lockDuration))
            try Self.saveStaffLock(id, lock, db)
            return lock
        }
    }

    /// Counts one wrong PIN (a check begun and ended wrong). Returns the new state.
    public func recordWrongPIN(id: String, limit: Int, lockDuration: TimeInterval, at now: Date = Date()) async throws -> StaffLock {
        if let lock = try await beginPINCheck(id: id, limit: limit, lockDuration: lockDuration, at: now) { return lock }
        return try await endPINCheck(id: id, correct: false, limit: limit, lockDuration: lockDuration, at: now)
    }

    private static func staffLock(_ id: String, _ db: Database) throws -> StaffLock {
        let row = try Row.fetchOne(db, sql: "SELECT failures, locked_until FROM staff_lock WHERE staff_id = ?", arguments: [id])
        return StaffLock(failures: row?["failures"] ?? 0, lockedUntil: row?["locked_until"])
    }

    private static func saveStaffLock(_ id: String, _ lock: StaffLock, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO staff_lock (staff_id, failures, locked_until) VALUES (?, ?, ?)
            ON CONFLICT(staff_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until
            """, arguments: [id, lock.failures, lock.lockedUntil])
    }

    private static func staffMember(_ row: Row) -> StaffMember? {
        guard let role = StaffRole(rawValue: row["role"]) else { return nil }
        let text: String? = row["pin_verifier"]
        let verifier = text.flatMap { try? WireJSON.decoder().decode(PINVerifier.self, from: Data($0.utf8)) }
        return StaffMember(id: row["id"], name: row["name"], role: role, enabled: row["enabled"], pinVerifier: verifier,
                           badgeID: row["badge_id"])
    }
}
