import CounterCore
import Foundation
import GRDB

/// A set of changes to the synced cache, applied in one transaction.
public struct CacheUpdate: Sendable {
    public var campaigns: [Campaign] = []
    public var tokens: [Token] = []
    public var signingKeys: [SigningKey] = []
    public var revocations: [Revocation] = []

    public init(campaigns: [Campaign] = [], tokens: [Token] = [], signingKeys: [SigningKey] = [],
                revocations: [Revocation] = []) {
        self.campaigns = campaigns
        self.tokens = tokens
        self.signingKeys = signingKeys
        self.revocations = revocations
    }
}

extension Ledger {
    /// Applies campaigns, tokens, keys and revocations in one transaction (demo data, tests, the feed).
    public func apply(_ update: CacheUpdate) async throws {
        try await writer.write { db in
            for campaign in update.campaigns { try CampaignRecord(campaign).save(db) }
            for token in update.tokens { try TokenRecord(token).save(db) }
            for key in update.signingKeys { try SigningKeyRecord(key).save(db) }
            for revocation in update.revocations { try RevocationRecord(revocation).save(db) }
        }
    }

    /// Whether the cache holds no campaign yet (a new ledger).
    public func isCacheEmpty() async throws -> Bool {
        try await writer.read { try CampaignRecord.fetchCount($0) == 0 }
    }
}
