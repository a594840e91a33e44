import CounterCore
import Foundation
import GRDB

extension Ledger {
    /// Verifies a scanned or typed code and, when accepted, redeems it.
    ///
    /// One transaction writes the redemption, the token's remaining uses, the next gap-free device
    /// sequence number and the outbox entry; a rejection writes the rejection and its outbox entry, while its
    /// source is within ``rejectionBudget``.
    /// Concurrent calls are serialized by the single writer, so a single-use code is accepted once.
    /// - Parameters:
    ///   - raw: the code as scanned or typed.
    ///   - uses: how many uses to take (multi-use cards); at least 1.
    ///   - source: which scanner or client delivered the code (for logs and the upload).
    ///   - staffID: the staff member signed in, recorded with the redemption or rejection; `nil` for nobody.
    ///   - now: the wall-clock time of the scan.
    public func redeem(_ raw: String, uses: Int = 1, source: String, staffID: String? = nil, at now: Date = Date()) async throws -> Verdict {
        precondition(uses >= 1, "uses must be at least 1")
        let canonical = try? CanonicalCode(raw)
        return try await writer.write { db in
            let verifier = Verifier(shopID: self.identity.shopID, trainingMode: try Self.isTraining(db))
            let decision = try verifier.verify(raw, uses: uses, at: try self.judgingTime(now, db), in: LedgerCatalog(db: db))
            if let token = decision.token, let canonical, decision.verdict.isAccepted {
                return try self.commitRedemption(decision.verdict, token: token, code: canonical, source: source,
                                                 staffID: staffID, at: now, db)
            }
            if self.rejectionBudget.take(source, at: now) {
                try self.recordRejection(decision.verdict, codeHash: canonical?.hash, source: source, staffID: staffID, at: now, db)
            }
            return decision.verdict
        }
    }

    /// Refuses a scan because nobody is signed in at a counter whose shop has staff (`no_staff`): the code is not
    /// verified, and the refusal is recorded like any rejection (within ``rejectionBudget``).
    public func refuseWithoutStaff(_ raw: String, source: String, at now: Date = Date()) async throws -> Verdict {
        let verdict = Verdict(reason: .noStaff)
        guard rejectionBudget.take(source, at: now) else { return verdict }
        let hash = (try? CanonicalCode(raw))?.hash
        try await writer.write { db in
            try self.recordRejection(verdict, codeHash: hash, source: source, staffID: nil, at: now, db)
        }
        return verdict
    }

    /// Records a scan that never became a code (an incomplete or garbage scan from a device).
    public func recordMalformedScan(_ malformed: MalformedCode, source: String, staffID: String? = nil,
                                    at now: Date = Date()) async throws -> Verdict {
        let verdict = Verdict(reason: .malformed, detail: malformed.description)
        guard rejectionBudget.take(source, at: now) else { return verdict }
        try await writer.write { db in
            try self.recordRejection(verdict, codeHash: nil, source: source, staffID: staffID, at: now, db)
        }
        return verdict
    }

    /// Verifies a code without redeeming it or recording anything.
    public func check(_ raw: String, uses: Int = 1, at now: Date = Date()) async throws -> Verdict {
        var verdict = try await writer.read { db in
            let verifier = Verifier(shopID: self.identity.shopID, trainingMode: try Self.isTraining(db))
            return try verifier.verify(raw, uses: uses, at: try self.judgingTime(now, db), in: LedgerCatalog(db: db)).verdict
        }
        // Nothing was taken: report the uses available now, not after a hypothetical redemption.
        if verdict.isAccepted, let left = verdict.usesLeft {
            verdict.usesLeft = left + verdict.usesRedeemed
            verdict.usesRedeemed = 0
        }
        return verdict
    }

    private func commitRedemption(_ verdict: Verdict, token: Token, code: CanonicalCode, source: String, staffID: String?,
                                  at now: Date, _ db: Database) throws -> Verdict {
        var verdict = verdict
        try db.cachedStatement(sql: "UPDATE token SET uses_remaining = ? WHERE id = ?")
            .execute(arguments: [token.usesRemaining, token.id.hex])
        if db.changesCount == 0 {
            // A signed code the cache did not know yet: remember it so its further uses are counted.
            try TokenRecord(token).insert(db)
        }
        let sequence = try nextSequence(db)
        let id = UUIDv7.make(now: now)
        let key = id.lowercasedString
        try db.cachedStatement(sql: """
            INSERT INTO redemption (id, device_sequence, token_id, campaign_id, shop_id, device_id, uses, code_last4,
                                    via, source, redeemed_at, clock_suspect, staff_id, training)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [key, sequence, token.id.hex, token.campaignID, identity.shopID, identity.deviceID,
                                     verdict.usesRedeemed, code.lastFour, token.origin.rawValue, source, now,
                                     try isClockSuspect(at: now, db), staffID, verdict.campaign?.training ?? false])
        try enqueue(.redemption, itemID: key, at: now, db)
        verdict.redemption = RedemptionReceipt(id: id, deviceSequence: sequence, redeemedAt: now,
                                               deviceID: identity.deviceID, shopID: identity.shopID,
                                               codeLastFour: code.lastFour)
        return verdict
    }

    private func recordRejection(_ verdict: Verdict, codeHash: CodeHash?, source: String, staffID: String?, at now: Date,
                                 _ db: Database) throws {
        let id = UUIDv7.make(now: now).lowercasedString
        try db.cachedStatement(sql: """
            INSERT INTO rejection (id, code_hash, reason, token_id, campaign_id, detail, source, scanned_at, clock_suspect, staff_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, codeHash.map { Data($0.bytes) }, verdict.reason.rawValue, verdict.tokenID?.hex,
                                     verdict.campaign?.id, verdict.detail, source, now, try isClockSuspect(at: now, db), staffID])
        try enqueue(.rejection, itemID: id, at: now, db)
    }

    /// Whether the counter is in training mode (练习模式).
    static func isTraining(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT training FROM device_state WHERE id = 1")) ?? false
    }

    /// Turns training mode (练习模式) on or off: only practice campaigns' codes redeem while it is on.
    public func setTrainingMode(_ on: Bool) async throws {
        try await writer.write { db in try db.execute(sql: "UPDATE device_state SET training = ? WHERE id = 1", arguments: [on]) }
    }

    /// Whether the counter is in training mode.
    public func trainingMode() async throws -> Bool {
        try await writer.read { try Self.isTraining($0) }
    }

    /// Takes the next gap-free device sequence number (redemptions and voids share it).
    func nextSequence(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(
            sql: "UPDATE device_state SET last_sequence = last_sequence + 1 WHERE id = 1 RETURNING last_sequence")) ?? 0
    }

    /// Adds an outbox entry for an event (in the caller's transaction).
    func enqueue(_ kind: OutboxKind, itemID: String, at now: Date, _ db: Database) throws {
        try raiseHighWater(to: now, db)
        let priority = kind.priority
        try db.cachedStatement(sql: "INSERT INTO outbox (kind, item_id, priority, state, attempts, created_at) VALUES (?, ?, ?, 'pending', 0, ?)")
            .execute(arguments: [kind.rawValue, itemID, priority, now])
    }
}
