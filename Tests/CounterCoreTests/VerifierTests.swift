import CounterCore
import Foundation
import Testing

@Suite struct VerifierTests {
    let hour: TimeInterval = 3600

    func fixture(_ tokens: Token...) -> Fixture {
        var fixture = Fixture()
        fixture.catalog.tokens = tokens
        return fixture
    }

    @Test func acceptsACachedCodeInAnySpelling() throws {
        let fixture = fixture(Fixture.token("ABCD-EFGH"))
        let verdict = try fixture.verify(" abcd efgh\r\n")
        #expect(verdict.reason == .ok)
        #expect(verdict.usesLeft == 0)
        #expect(verdict.via == .cache)
        #expect(verdict.campaign?.id == "C1")
    }

    @Test func malformed() throws {
        #expect(try fixture().verify("AB\u{1}CD").reason == .malformed)
        #expect(try fixture().verify("").reason == .malformed)
    }

    @Test func unknownCode() throws {
        #expect(try fixture(Fixture.token("ABCD")).verify("ABCE").reason == .unknownCode)
    }

    @Test func revokedByRevocationAndByStatus() throws {
        let token = Fixture.token("ABCD")
        var fixture = fixture(token)
        fixture.catalog.revocations = [Revocation(tokenID: token.id, reason: "refund", revokedAt: Fixture.now)]
        #expect(try fixture.verify("ABCD").reason == .revoked)

        var revoked = Fixture.token("WXYZ")
        revoked.status = .revoked
        #expect(try self.fixture(revoked).verify("WXYZ").reason == .revoked)
    }

    @Test func campaignInactiveWhenMissingPausedOrOutsideItsWindow() throws {
        #expect(try fixture(Fixture.token("ABCD", campaign: "NOPE")).verify("ABCD").reason == .campaignInactive)

        var fixture = fixture(Fixture.token("ABCD"))
        fixture.catalog.campaigns[0].status = .paused
        #expect(try fixture.verify("ABCD").reason == .campaignInactive)

        fixture.catalog.campaigns[0].status = .active
        fixture.catalog.campaigns[0].activeUntil = Fixture.now
        #expect(try fixture.verify("ABCD").reason == .campaignInactive, "activeUntil is exclusive")
        fixture.catalog.campaigns[0].activeUntil = Fixture.now + 1
        #expect(try fixture.verify("ABCD").reason == .ok)

        fixture.catalog.campaigns[0].activeFrom = Fixture.now + 1
        #expect(try fixture.verify("ABCD").reason == .campaignInactive)
        fixture.catalog.campaigns[0].activeFrom = Fixture.now
        #expect(try fixture.verify("ABCD").reason == .ok, "activeFrom is inclusive")
    }

    @Test func wrongShop() throws {
        #expect(try fixture(Fixture.token("ABCD", scope: .shops(["SHOP-2"]))).verify("ABCD").reason == .wrongShop)
        #expect(try fixture(Fixture.token("ABCD", scope: .shops(["SHOP-2", "SHOP-1"]))).verify("ABCD").reason == .ok)
    }

    @Test func validityWindowEdges() throws {
        let now = Fixture.now
        // validFrom is inclusive.
        #expect(try fixture(Fixture.token("A1", from: now)).verify("A1").reason == .ok)
        let early = try fixture(Fixture.token("A1", from: now + 1)).verify("A1")
        #expect(early.reason == .notYetValid)
        #expect(early.validFrom == now + 1)
        // validUntil is exclusive.
        let late = try fixture(Fixture.token("A1", until: now)).verify("A1")
        #expect(late.reason == .expired)
        #expect(late.validUntil == now)
        #expect(try fixture(Fixture.token("A1", until: now + 1)).verify("A1").reason == .ok)
    }

    @Test func lastUseAndMultiUse() throws {
        #expect(try fixture(Fixture.token("CARD", uses: 10, remaining: 1)).verify("CARD").reason == .ok)
        let none = try fixture(Fixture.token("CARD", uses: 10, remaining: 0)).verify("CARD")
        #expect(none.reason == .alreadyRedeemed)
        #expect(none.usesLeft == 0)

        let three = try fixture(Fixture.token("CARD", uses: 10, remaining: 3)).verify("CARD", uses: 3)
        #expect(three.reason == .ok)
        #expect(three.usesLeft == 0)
        #expect(three.usesRedeemed == 3)
        let tooMany = try fixture(Fixture.token("CARD", uses: 10, remaining: 3)).verify("CARD", uses: 4)
        #expect(tooMany.reason == .alreadyRedeemed)
        #expect(tooMany.usesLeft == 3)
    }

    @Test func alreadyRedeemedSaysWhenAndWhere() throws {
        let token = Fixture.token("ABCD", remaining: 0)
        var fixture = fixture(token)
        let usedAt = Date(timeIntervalSince1970: 1_789_990_000)
        fixture.catalog.uses[token.id] = PriorUse(at: usedAt, shopID: "SHOP-9", deviceID: "till-2")
        let verdict = try fixture.verify("ABCD")
        #expect(verdict.reason == .alreadyRedeemed)
        #expect(verdict.priorUse?.at == usedAt)
        let message = verdict.message(in: TimeZone(identifier: "Asia/Shanghai")!)
        // 1_789_990_000 is 2026-09-21 11:26:40 UTC, 19:26 in Shanghai.
        #expect(message.zh.contains("2026-09-21 19:26"))
        #expect(message.zh.contains("SHOP-9 / till-2"))
        #expect(message.en.contains("2026-09-21 19:26"))
        #expect(message.en.contains("SHOP-9 / till-2"))
    }

    @Test func orderPutsRevocationBeforeExpiry() throws {
        // A token that is both revoked and expired is reported as revoked.
        var token = Fixture.token("ABCD", until: Fixture.now - hour)
        token.status = .revoked
        #expect(try fixture(token).verify("ABCD").reason == .revoked)
        // Wrong shop is reported before the validity window.
        #expect(try fixture(Fixture.token("ABCD", scope: .shops(["X"]), until: Fixture.now - hour)).verify("ABCD").reason == .wrongShop)
    }

    // MARK: signed codes

    @Test func acceptsASignedCodeNotInTheCacheWhenTheCampaignAllowsIt() throws {
        let verdict = try fixture().verify(Fixture.signed(Fixture.claims(uses: 5)))
        #expect(verdict.reason == .ok)
        #expect(verdict.via == .signedCode)
        #expect(verdict.usesLeft == 4)
    }

    @Test func signedCodeOfACacheOnlyOrUnknownCampaignIsOfflineNotAllowed() throws {
        var fixture = fixture()
        fixture.catalog.campaigns[0].offlinePolicy = .cacheOnly
        #expect(try fixture.verify(Fixture.signed()).reason == .offlineNotAllowed)
        #expect(try self.fixture().verify(Fixture.signed(Fixture.claims(campaign: "UNSYNCED"))).reason == .offlineNotAllowed)
    }

    @Test func signedCodeInTheCacheUsesTheCachedState() throws {
        let claims = Fixture.claims(uses: 5)
        var cached = Fixture.token("ABCD", uses: 5, remaining: 0)
        cached.id = claims.tokenID
        let verdict = try fixture(cached).verify(Fixture.signed(claims))
        #expect(verdict.reason == .alreadyRedeemed)
        #expect(verdict.via == .cache)
    }

    @Test func signedCodeClaimsAreChecked() throws {
        let now = Fixture.now
        #expect(try fixture().verify(Fixture.signed(Fixture.claims(scope: .shops(["SHOP-2"])))).reason == .wrongShop)
        #expect(try fixture().verify(Fixture.signed(Fixture.claims(from: now + 60))).reason == .notYetValid)
        #expect(try fixture().verify(Fixture.signed(Fixture.claims(until: now))).reason == .expired)
        #expect(try fixture().verify(Fixture.signed(Fixture.claims()), uses: 2).reason == .alreadyRedeemed)
    }

    @Test func unknownAndRetiredKeys() throws {
        #expect(try fixture().verify(Fixture.signed(Fixture.claims(keyID: 7))).reason == .unknownKey)
        var fixture = fixture()
        fixture.catalog.keys[0].verifyUntil = Fixture.now
        #expect(try fixture.verify(Fixture.signed()).reason == .unknownKey)
    }

    @Test func signatureByAnotherKeyIsBad() throws {
        #expect(try fixture().verify(Fixture.signed(key: Fixture.otherKey)).reason == .badSignature)
    }

    @Test func revokedSignedCodeIsRejectedEvenWhenNotCached() throws {
        let claims = Fixture.claims()
        var fixture = fixture()
        fixture.catalog.revocations = [Revocation(tokenID: claims.tokenID, reason: "fraud", revokedAt: Fixture.now)]
        #expect(try fixture.verify(Fixture.signed(claims)).reason == .revoked)
    }
}
