import CounterCore
import Foundation
import GRDB

extension Ledger {
    /// Verifies a scanned or typed code and, when accepted, redeems it.
    ///
    /// One transaction writes the redemption, the token's remaining uses, the next gap-free device
    /// sequence number and the outbox entry; a rejection writes the rejection and its outbox entry.
    /// Concurrent calls are serialized by the single writer, so a single-use code is accepted once.
    /// - Parameters:
    ///   - raw: the code as scanned or typed.
    ///   - uses: how many uses to take (multi-use cards); at least 1.
    ///   - source: which scanner or client delivered the code (for logs and the upload).
    ///   - now: the wall-clock time of the scan.
    public func redeem(_ raw: String, uses: Int = 1, source: String, at now: Date = Date()) async throws -> Verdict {
        precondition(uses >= 1, "uses must be at least 1")
        let verifier = Verifier(shopID: identity.shopID)
        let canonical = try? CanonicalCode(raw)
        return try await writer.write { db in
            let decision = try verifier.verify(raw, uses: uses, at: now, in: LedgerCatalog(db: db))
            if let token = decision.token, let canonical, decision.verdict.isAccepted {
                return try self.commitRedemption(decision.verdict, token: token, code: canonical, source: source,
                                                 at: now, db)
            }
            try self.recordRejection(decision.verdict, codeHash: canonical?.hash, source: source, at: now, db)
            return decision.verdict
        }
    }

    /// Records a scan that never became a code (an incomplete or garbage scan from a device).
    public func recordMalformedScan(_ malformed: MalformedCode, source: String, at now: Date = Date()) async throws -> Verdict {
        let verdict = Verdict(reason: .malformed, detail: malformed.description)
        try await writer.write { db in
            try self.recordRejection(verdict, codeHash: nil, source: source, at: now, db)
        }
        return verdict
    }

    /// Verifies a code without redeeming it or recording anything.
    public func check(_ raw: String, uses: Int = 1, at now: Date = Date()) async throws -> Verdict {
        let verifier = Verifier(shopID: identity.shopID)
        var verdict = try await writer.read { db in
            try verifier.verify(raw, uses: uses, at: now, in: LedgerCatalog(db: db)).verdict
        }
        // Nothing was taken: report the uses available now, not after a hypothetical redemption.
        if verdict.isAccepted, let left = verdict.usesLeft {
            verdict.usesLeft = left + verdict.usesRedeemed
            verdict.usesRedeemed = 0
        }
        return verdict
    }

    private func commitRedemption(_ verdict: Verdict, token: Token, code: CanonicalCode, source: String,
                                  at now: Date, _ db: Database) throws -> Verdict {
        var verdict = verdict
        if try TokenRecord.exists(db, key: token.id.hex) {
            try db.execute(sql: "UPDATE token SET uses_remaining = ? WHERE id = ?",
                           arguments: [token.usesRemaining, token.id.hex])
        } else {
            // A signed code the cache did not know yet: remember it so its further uses are counted.
            try TokenRecord(token).insert(db)
        }
        let sequence = try nextSequence(db)
        let id = UUIDv7.make(now: now)
        try RedemptionRecord(id: id.uuidString.lowercased(), deviceSequence: sequence, tokenId: token.id.hex,
                             campaignId: token.campaignID, shopId: identity.shopID, deviceId: identity.deviceID,
                             uses: verdict.usesRedeemed, codeLast4: code.lastFour,
                             via: token.origin.rawValue, source: source, redeemedAt: now).insert(db)
        try OutboxRecord(kind: .redemption, itemID: id.uuidString.lowercased(), createdAt: now).insert(db)
        verdict.redemption = RedemptionReceipt(id: id, deviceSequence: sequence, redeemedAt: now,
                                               deviceID: identity.deviceID, shopID: identity.shopID,
                                               codeLastFour: code.lastFour)
        return verdict
    }

    private func recordRejection(_ verdict: Verdict, codeHash: CodeHash?, source: String, at now: Date,
                                 _ db: Database) throws {
        let id = UUIDv7.make(now: now).uuidString.lowercased()
        try RejectionRecord(id: id, codeHash: codeHash.map { Data($0.bytes) }, reason: verdict.reason.rawValue,
                            tokenId: verdict.tokenID?.hex, campaignId: verdict.campaign?.id, detail: verdict.detail,
                            source: source, scannedAt: now).insert(db)
        try OutboxRecord(kind: .rejection, itemID: id, createdAt: now).insert(db)
    }

    /// Takes the next gap-free device sequence number (redemptions and voids share it).
    func nextSequence(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE device_state SET last_sequence = last_sequence + 1 WHERE id = 1")
        return try Int64.fetchOne(db, sql: "SELECT last_sequence FROM device_state WHERE id = 1") ?? 0
    }
}
