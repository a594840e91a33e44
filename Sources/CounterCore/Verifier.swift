import Foundation

/// Decides whether a code may be redeemed at this shop, offline, in the order of docs/architecture.md:
/// canonicalize → parse → key + signature → token → revocation → campaign → shop → window → uses.
public struct Verifier: Sendable {
    /// The shop this counter belongs to.
    public let shopID: String

    /// A counter in training mode (练习模式) redeems only practice campaigns' codes; one not in it, none of them.
    public let trainingMode: Bool

    public init(shopID: String, trainingMode: Bool = false) {
        self.shopID = shopID
        self.trainingMode = trainingMode
    }

    /// The outcome of verification: a verdict and, when accepted, the token to redeem.
    public struct Decision: Sendable {
        public var verdict: Verdict
        /// The token as verified; for a signed code not in the cache, built from its claims.
        public var token: Token?
    }

    /// Verifies a raw code for `uses` uses at `now`.
    public func verify(_ raw: String, uses: Int = 1, at now: Date, in catalog: some TokenCatalog) throws -> Decision {
        let code: CanonicalCode
        do {
            code = try CanonicalCode(raw)
        } catch {
            return Decision(verdict: Verdict(reason: .malformed, usesRequested: uses, detail: error.description))
        }
        return try verify(code, uses: uses, at: now, in: catalog)
    }

    /// Verifies a canonical code for `uses` uses at `now`.
    public func verify(_ code: CanonicalCode, uses: Int = 1, at now: Date, in catalog: some TokenCatalog) throws -> Decision {
        func reject(_ reason: VerdictReason, _ token: Token? = nil, _ campaign: Campaign? = nil,
                    detail: String? = nil) -> Decision {
            Decision(verdict: Verdict(reason: reason, tokenID: token?.id, campaign: campaign,
                                      usesLeft: token.map { max(0, $0.usesRemaining) },
                                      validFrom: token?.validFrom, validUntil: token?.validUntil,
                                      usesRequested: uses, via: token?.origin, detail: detail))
        }

        // Parse, check key and signature, then find the token.
        var token: Token
        if code.isSigned {
            let signed: SignedCode
            do {
                signed = try SignedCode(parsing: code)
            } catch {
                return reject(.malformed, detail: error.description)
            }
            guard let key = try catalog.signingKey(withID: signed.claims.keyID) else {
                return reject(.unknownKey, detail: "key \(signed.claims.keyID)")
            }
            guard key.isUsable(at: now) else {
                return reject(.unknownKey, detail: "key \(signed.claims.keyID) retired")
            }
            guard signed.isSigned(by: key) else {
                return reject(.badSignature, detail: "key \(signed.claims.keyID)")
            }
            if let cached = try catalog.token(withID: signed.claims.tokenID) {
                token = cached
            } else {
                let claims = signed.claims
                token = Token(id: claims.tokenID, codeHash: nil, campaignID: claims.campaignID,
                              shopScope: claims.shopScope, usesTotal: claims.uses, usesRemaining: claims.uses,
                              validFrom: claims.validFrom, validUntil: claims.validUntil, origin: .signedCode)
                let campaign = try catalog.campaign(withID: claims.campaignID)
                guard let campaign, campaign.offlinePolicy == .allowSigned else {
                    return reject(.offlineNotAllowed, token, campaign,
                                  detail: campaign == nil ? "campaign not synced" : "campaign is cache-only")
                }
            }
        } else {
            guard let cached = try catalog.token(withCodeHash: code.hash) else {
                return reject(.unknownCode)
            }
            token = cached
        }

        // Revocation, campaign, shop, validity window, uses.
        let revocation = try catalog.revocation(of: token.id)
        if token.status == .revoked || revocation != nil {
            return reject(.revoked, token, try catalog.campaign(withID: token.campaignID))
        }
        guard let campaign = try catalog.campaign(withID: token.campaignID), campaign.isActive(at: now) else {
            return reject(.campaignInactive, token, try catalog.campaign(withID: token.campaignID))
        }
        guard campaign.training == trainingMode else {
            return reject(trainingMode ? .trainingOnly : .trainingCode, token, campaign)
        }
        guard token.shopScope.allows(shopID) else {
            return reject(.wrongShop, token, campaign)
        }
        if let validFrom = token.validFrom, now < validFrom {
            return reject(.notYetValid, token, campaign)
        }
        if let validUntil = token.validUntil, now >= validUntil {
            return reject(.expired, token, campaign)
        }
        guard token.usesRemaining >= uses else {
            var decision = reject(.alreadyRedeemed, token, campaign)
            decision.verdict.priorUse = try catalog.lastUse(of: token.id)
            return decision
        }
        token.usesRemaining -= uses
        let verdict = Verdict(reason: .ok, tokenID: token.id, campaign: campaign, usesLeft: token.usesRemaining,
                              usesRedeemed: uses, validFrom: token.validFrom, validUntil: token.validUntil,
                              usesRequested: uses, via: token.origin)
        return Decision(verdict: verdict, token: token)
    }
}
