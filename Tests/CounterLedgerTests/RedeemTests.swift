import CounterCore
@testable import CounterLedger
import Foundation
import GRDB
import Testing

@Suite struct RedeemTests {
    @Test func productionPragmas() async throws {
        let fixture = try await LedgerFixture()
        #expect(try fixture.ledger.journalMode() == "wal")
        #expect(try fixture.ledger.synchronousMode() == 2, "synchronous must be FULL")
    }

    @Test func acceptedRedemptionWritesEverythingInOneGo() async throws {
        let fixture = try await LedgerFixture()
        let verdict = try await fixture.ledger.redeem("single-0001", source: "serial:front", at: LedgerFixture.now)
        #expect(verdict.reason == .ok)
        let redemption = try #require(verdict.redemption)
        #expect(redemption.deviceSequence == 1)
        #expect(redemption.codeLastFour == "0001")
        #expect(redemption.id.lowercasedString.dropFirst(14).first == "7", "UUIDv7")

        let rows = try fixture.rows("SELECT id, device_sequence, uses, source, via, code_last4 FROM redemption")
        #expect(rows.count == 1)
        #expect(rows[0]["id"] as String == redemption.id.lowercasedString)
        #expect(rows[0]["source"] as String == "serial:front")
        #expect(try await fixture.count("SELECT uses_remaining FROM token WHERE id = '\(LedgerFixture.tokenID("SINGLE-0001").hex)'") == 0)
        #expect(try await fixture.count("SELECT last_sequence FROM device_state") == 1)
        let outbox = try fixture.rows("SELECT kind, item_id, priority, state FROM outbox")
        #expect(outbox.count == 1)
        #expect(outbox[0]["kind"] as String == "redemption")
        #expect(outbox[0]["item_id"] as String == redemption.id.lowercasedString)
        #expect(outbox[0]["priority"] as Int == 0)
        #expect(outbox[0]["state"] as String == "pending")
    }

    @Test func secondScanOfASingleUseCodeIsAlreadyRedeemedWithWhenAndWhere() async throws {
        let fixture = try await LedgerFixture()
        _ = try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now)
        let second = try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now + 60)
        #expect(second.reason == .alreadyRedeemed)
        #expect(second.priorUse == PriorUse(at: LedgerFixture.now, shopID: "SHOP-1", deviceID: "till-1"))
    }

    @Test func rejectionsAreRecordedHashedWithLowPriorityAndNoSequence() async throws {
        let fixture = try await LedgerFixture()
        let verdict = try await fixture.ledger.redeem("NOT-A-CODE", source: "terminal", at: LedgerFixture.now)
        #expect(verdict.reason == .unknownCode)
        let rows = try fixture.rows("SELECT reason, code_hash, source FROM rejection")
        #expect(rows.count == 1)
        #expect(rows[0]["reason"] as String == "unknown_code")
        #expect(rows[0]["code_hash"] as Data == Data(try CanonicalCode("NOT-A-CODE").hash.bytes))
        #expect(try await fixture.count("SELECT priority FROM outbox WHERE kind = 'rejection'") == 1)
        #expect(try await fixture.count("SELECT last_sequence FROM device_state") == 0)

        let garbage = try await fixture.ledger.redeem("\u{1B}[A", source: "terminal", at: LedgerFixture.now)
        #expect(garbage.reason == .malformed)
        #expect(try await fixture.count("SELECT COUNT(*) FROM rejection WHERE code_hash IS NULL") == 1)
    }

    /// Issue 15, item 3: one process or a scanner spewing garbage cannot fill the disk with rejection rows.
    @Test func rejectionsAreRecordedWithinABudgetPerSource() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let start = LedgerFixture.now
        for index in 0..<200 {
            let verdict = try await ledger.redeem("NO-SUCH-\(index)", source: "spam", at: start)
            #expect(verdict.reason == .unknownCode, "every scan still gets its verdict")
        }
        _ = try await ledger.recordMalformedScan(MalformedCode(.incompleteScan), source: "spam", at: start)
        #expect(try await fixture.count("SELECT COUNT(*) FROM rejection") == Int(ledger.rejectionBudget.burst))
        #expect(ledger.rejectionBudget.skipped == 81)
        _ = try await ledger.redeem("NO-SUCH-OTHER", source: "front", at: start)
        #expect(try await fixture.count("SELECT COUNT(*) FROM rejection WHERE source = 'front'") == 1, "other sources keep their budget")
        _ = try await ledger.redeem("NO-SUCH-LATER", source: "spam", at: start + 60)
        #expect(try await fixture.count("SELECT COUNT(*) FROM rejection WHERE source = 'spam'") == 121, "the budget refills with time")
    }

    @Test func plainCodesNeverReachTheDatabaseFile() async throws {
        let fixture = try await LedgerFixture()
        _ = try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now)
        _ = try await fixture.ledger.redeem("WRONG-CODE-XYZ", source: "a", at: LedgerFixture.now)
        _ = try await fixture.ledger.writer.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        for file in ["ledger.sqlite", "ledger.sqlite-wal"] {
            let data = (try? Data(contentsOf: URL(fileURLWithPath: fixture.directory + "/" + file))) ?? Data()
            for code in ["SINGLE0001", "SINGLE-0001", "WRONGCODEXYZ"] {
                #expect(data.range(of: Data(code.utf8)) == nil, "\(code) found in \(file)")
            }
        }
    }

    @Test func multiUseCardTakesOneUsePerScanOrSeveralAtOnce() async throws {
        let fixture = try await LedgerFixture()
        let first = try await fixture.ledger.redeem("CARD-0010", source: "a", at: LedgerFixture.now)
        #expect(first.usesLeft == 9)
        let three = try await fixture.ledger.redeem("CARD-0010", uses: 3, source: "a", at: LedgerFixture.now)
        #expect(three.reason == .ok)
        #expect(three.usesLeft == 6)
        #expect(three.usesRedeemed == 3)
        let tooMany = try await fixture.ledger.redeem("CARD-0010", uses: 7, source: "a", at: LedgerFixture.now)
        #expect(tooMany.reason == .alreadyRedeemed)
        #expect(tooMany.usesLeft == 6)
        let last = try await fixture.ledger.redeem("CARD-0010", uses: 6, source: "a", at: LedgerFixture.now)
        #expect(last.usesLeft == 0)
        #expect(try await fixture.ledger.redeem("CARD-0010", source: "a", at: LedgerFixture.now).reason == .alreadyRedeemed)
        #expect(try await fixture.count("SELECT SUM(uses) FROM redemption") == 10)
    }

    @Test func signedCodeRedeemedOfflineIsRememberedForItsNextUses() async throws {
        let fixture = try await LedgerFixture()
        let code = LedgerFixture.signedCode(uses: 2)
        let first = try await fixture.ledger.redeem(code, source: "a", at: LedgerFixture.now)
        #expect(first.reason == .ok)
        #expect(first.via == .signedCode)
        #expect(first.usesLeft == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM token WHERE origin = 'signed_code'") == 1)
        #expect(try await fixture.ledger.redeem(code, source: "a", at: LedgerFixture.now).usesLeft == 0)
        #expect(try await fixture.ledger.redeem(code, source: "a", at: LedgerFixture.now).reason == .alreadyRedeemed)
    }

    @Test func unreadableShopScopeFailsClosed() async throws {
        let fixture = try await LedgerFixture()
        try await fixture.ledger.writer.write { try $0.execute(sql: "UPDATE token SET shop_scope = 'garbage'") }
        #expect(try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now).reason == .unknownCode)
    }

    @Test func checkReportsUsesAvailableNow() async throws {
        let fixture = try await LedgerFixture()
        let verdict = try await fixture.ledger.check("CARD-0010", uses: 3, at: LedgerFixture.now)
        #expect(verdict.reason == .ok)
        #expect(verdict.usesLeft == 10)
        #expect(verdict.redemption == nil)
    }

    @Test func checkChangesNothing() async throws {
        let fixture = try await LedgerFixture()
        #expect(try await fixture.ledger.check("SINGLE-0001", at: LedgerFixture.now).reason == .ok)
        #expect(try await fixture.ledger.check("nope", at: LedgerFixture.now).reason == .unknownCode)
        #expect(try await fixture.count("SELECT COUNT(*) FROM outbox") == 0)
        #expect(try await fixture.ledger.redeem("SINGLE-0001", source: "a", at: LedgerFixture.now).reason == .ok)
    }

    @Test func concurrentRedeemsOfASingleUseCodeAcceptExactlyOne() async throws {
        let fixture = try await LedgerFixture()
        let ledger = fixture.ledger
        let verdicts = try await withThrowingTaskGroup(of: Verdict.self) { group in
            for index in 0..<40 {
                group.addTask { try await ledger.redeem("SINGLE-0002", source: "scanner-\(index % 2)") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts.filter(\.isAccepted).count == 1)
        #expect(verdicts.filter { $0.reason == .alreadyRedeemed }.count == 39)
        #expect(try await fixture.count("SELECT COUNT(*) FROM redemption") == 1)
        #expect(try await fixture.count("SELECT COUNT(*) FROM rejection") == 39)
    }

    @Test func aLedgerFileBelongsToOneDevice() async throws {
        let fixture = try await LedgerFixture()
        #expect(throws: LedgerError.self) {
            _ = try Ledger(path: fixture.directory + "/ledger.sqlite",
                           identity: DeviceIdentity(deviceID: "till-2", shopID: "SHOP-1"))
        }
        // The same identity reopens fine.
        _ = try Ledger(path: fixture.directory + "/ledger.sqlite", identity: LedgerFixture.identity)
    }
}
