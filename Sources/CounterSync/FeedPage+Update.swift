import CounterCore
import CounterLedger
import CounterSyncModels
import Foundation

extension FeedPage {
    /// Checks every field against the contract and the pinned root key, and converts the page to
    /// what the ledger applies. Any problem rejects the whole page.
    public func validated(rootPublicKey: [UInt8]) throws(SyncError) -> FeedPageUpdate {
        func invalid(_ reason: String) -> SyncError { .invalidResponse("feed page: \(reason)") }
        guard !nextCursor.isEmpty, nextCursor.utf8.count <= 1024 else { throw invalid("next_cursor must be 1 to 1024 characters") }
        guard WireLimits.integers.contains(position), WireLimits.integers.contains(watermark.deviceSequence) else {
            throw invalid("position and watermark must be integers from 0 to 2^53 − 1")
        }
        guard WireLimits.maxDataAgeSeconds.contains(maxDataAgeSeconds) else {
            throw invalid("max_data_age_seconds must be from 60 to \(WireLimits.maxDataAgeSeconds.upperBound) (10 years)")
        }
        guard Self.isIdentifier(shop.id) else { throw invalid("shop.id is not an identifier") }
        if let window = shop.settings.managerVoidWindowSeconds, !WireLimits.managerVoidWindowSeconds.contains(window) {
            throw invalid("shop.settings.manager_void_window_seconds must be from 0 to \(WireLimits.managerVoidWindowSeconds.upperBound)")
        }

        var keySet: KeySet?
        if let signed = self.keySet {
            guard let payload = Data(base64Encoded: signed.payload), let signature = Data(base64Encoded: signed.signature) else {
                throw invalid("key_set is not base64")
            }
            do {
                keySet = try KeySet.verified(payload: Array(payload), signature: Array(signature), rootPublicKey: rootPublicKey)
            } catch {
                throw invalid(error.description)
            }
        }
        var converted: [CounterCore.Campaign] = []
        for campaign in campaigns {
            guard Self.isIdentifier(campaign.id), WireLimits.integers.contains(Int64(campaign.faceValueFen)),
                  WireLimits.integers.contains(Int64(campaign.shopRewardFen ?? 0)),
                  let policy = CounterCore.Campaign.OfflinePolicy(rawValue: campaign.offlinePolicy),
                  let status = CounterCore.Campaign.Status(rawValue: campaign.status) else {
                throw invalid("campaign \(campaign.id) has an invalid field")
            }
            converted.append(CounterCore.Campaign(id: campaign.id, title: campaign.title, product: campaign.product,
                                      faceValue: Money(fen: campaign.faceValueFen),
                                      shopReward: campaign.shopRewardFen.map(Money.init(fen:)),
                                      activeFrom: campaign.activeFrom, activeUntil: campaign.activeUntil,
                                      offlinePolicy: policy, status: status, training: campaign.training ?? false))
        }
        var feedTokens: [FeedPageUpdate.FeedToken] = []
        feedTokens.reserveCapacity(tokens.count)
        for token in tokens {
            guard let id = TokenID(hex: token.tokenId), token.tokenId == token.tokenId.lowercased() else {
                throw invalid("token_id \(token.tokenId) is not 32 lower-case hex characters")
            }
            var hash: CodeHash?
            if let text = token.codeHash {
                guard let bytes = Hex.decode(text), let decoded = CodeHash(bytes: bytes) else {
                    throw invalid("code_hash of token \(token.tokenId) is not 64 hex characters")
                }
                hash = decoded
            }
            guard Self.isIdentifier(token.campaignId), token.shopIds.count <= 16, token.shopIds.allSatisfy(Self.isIdentifier),
                  WireLimits.usesTotal.contains(token.usesTotal), WireLimits.integers.contains(Int64(token.usesUsed)),
                  let status = CounterCore.Token.Status(rawValue: token.status) else {
                throw invalid("token \(token.tokenId) has an invalid field")
            }
            if let from = token.validFrom, let until = token.validUntil, until <= from {
                throw invalid("token \(token.tokenId) has an empty validity window")
            }
            let domain = CounterCore.Token(id: id, codeHash: hash, campaignID: token.campaignId, shopScope: ShopScope(shopIDs: token.shopIds),
                               usesTotal: token.usesTotal, usesRemaining: 0, validFrom: token.validFrom,
                               validUntil: token.validUntil, status: status)
            feedTokens.append(FeedPageUpdate.FeedToken(
                token: domain, usesUsed: token.usesUsed,
                lastUse: token.lastUse.map { PriorUse(at: $0.at, shopID: $0.shopId, deviceID: $0.deviceId) }))
        }
        var tombstoneIDs: [TokenID] = []
        for text in tombstones {
            guard let id = TokenID(hex: text) else { throw invalid("tombstone \(text) is not a token id") }
            tombstoneIDs.append(id)
        }
        var revoked: [CounterCore.Revocation] = []
        for revocation in revocations {
            guard let id = TokenID(hex: revocation.tokenId) else { throw invalid("revocation of \(revocation.tokenId) is not a token id") }
            revoked.append(CounterCore.Revocation(tokenID: id, reason: revocation.reason, revokedAt: revocation.revokedAt))
        }
        var members: [CounterCore.StaffMember]?
        if let staff {
            members = try staff.map { member throws(SyncError) in
                guard Self.isIdentifier(member.staffId), CounterCore.StaffMember.isValidName(member.name), let role = StaffRole(rawValue: member.role),
                      member.pinVerifier?.isWellFormed ?? true,
                      member.badgeId.map({ $0.utf8.count == 32 && Hex.decode($0) != nil && $0 == $0.lowercased() }) ?? true else {
                    throw invalid("staff member \(member.staffId) has an invalid field")
                }
                return CounterCore.StaffMember(id: member.staffId, name: member.name, role: role, enabled: member.enabled,
                                               pinVerifier: member.pinVerifier, badgeID: member.badgeId)
            }
        }
        return FeedPageUpdate(position: position, nextCursor: nextCursor, reset: reset, upToDate: upToDate,
                              serverTime: serverTime, maxDataAge: TimeInterval(maxDataAgeSeconds),
                              watermark: watermark.deviceSequence,
                              shop: .init(id: shop.id, name: shop.name, timeZone: shop.timeZone,
                                          managerVoidWindow: shop.settings.managerVoidWindowSeconds.map(TimeInterval.init)),
                              campaigns: converted, tokens: feedTokens, tombstones: tombstoneIDs, revocations: revoked,
                              keySet: keySet, staff: members)
    }

    /// 1 to 64 printable ASCII characters without space.
    static func isIdentifier(_ text: String) -> Bool { WireLimits.isIdentifier(text) }
}
