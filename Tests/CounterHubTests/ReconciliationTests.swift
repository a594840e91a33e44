import CounterCore
@testable import CounterHub
import CounterSyncModels
import Foundation
import Testing

/// 对账 at the hub (issue 17, item 6), on both backends: a shift close is reconciled against the events the hub holds,
/// again when it is sent again; the statement's totals are the sum over the accepted events.
@Suite struct ReconciliationTests {
    static func close(_ id: String, from: Int64, to: Int64, redemptions: Int = 0, at: Date = Date()) -> EventsRequest.Event {
        EventsRequest.Event(type: "shift_close", id: id, occurredAt: at, clockSuspect: false, source: "counterd",
                            shift: .init(kind: "shift", openedAt: at.addingTimeInterval(-3600), openedBy: "m", closedBy: "m",
                                         fromSequence: from, toSequence: to, redemptions: redemptions, uses: redemptions, voids: 0,
                                         faceValueFen: 1800 * redemptions, rewardFen: 200 * redemptions))
    }

    @Test func aHubThatLostEventsAnswersMismatchedThenMatchedOnceTheyArrive() throws {
        let hub = try Hub()
        let events = hub.issued.enumerated().map { hub.redemption($1, sequence: Int64($0 + 1)) }
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: events), from: hub.device)
        // The hub loses the second one (a restore, a bad migration).
        try hub.store.database.write { try $0.execute("DELETE FROM event WHERE id = ?", [events[1].id]) }

        let shiftID = UUIDv7.make().lowercasedString
        let close = Self.close(shiftID, from: 1, to: 3, redemptions: 3)
        var answer = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [close]), from: hub.device)
        #expect(answer.results[0].status == "accepted")
        #expect(answer.results[0].reconciliation == .init(status: "mismatched", missingSequences: [2]))

        // The counter sends the missing event and the close again: now matched, and the close is a duplicate.
        answer = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [events[1], close]), from: hub.device)
        #expect(answer.results.map(\.status) == ["accepted", "duplicate"])
        #expect(answer.results[1].reconciliation == .init(status: "matched"))

        // An empty shift is matched; a hostile range is refused and not reconciled.
        let empty = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [Self.close(UUIDv7.make().lowercasedString, from: 4, to: 3)]),
                                         from: hub.device)
        #expect(empty.results[0].reconciliation?.status == "matched")
        for (from, to, reason) in [(0, 3, "invalid_event"), (1, Int64.max, "invalid_event"), (Int64.min, 0, "invalid_event"),
                                   (5, 3, "invalid_shift_range"), (1, 2_000_000, "invalid_shift_range")] as [(Int64, Int64, String)] {
            let hostile = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [Self.close(UUIDv7.make().lowercasedString, from: from, to: to)]),
                                               from: hub.device)
            #expect(hostile.results[0].status == "rejected", "\(from)...\(to)")
            #expect(hostile.results[0].reason == reason, "\(from)...\(to)")
            #expect(hostile.results[0].reconciliation == nil)
        }
        // A resend of an accepted close with a hostile range (the comparison of resends ignores the shift object) is
        // answered without a reconciliation, and the hub does not trap.
        var resent = close
        resent.shift?.fromSequence = 0
        resent.shift?.toSequence = Int64.max
        let again = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [resent]), from: hub.device)
        #expect(again.results[0].status == "duplicate" && again.results[0].reconciliation == nil)
    }

    @Test func aLargeGapNamesAtMostAThousandMissingSequences() throws {
        let hub = try Hub()
        let answer = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [Self.close(UUIDv7.make().lowercasedString, from: 1, to: 5000)]),
                                          from: hub.device)
        #expect(answer.results[0].reconciliation?.status == "mismatched")
        #expect(answer.results[0].reconciliation?.missingSequences == Array(1...1000))
    }

    @Test func theStatementsTotalsAreTheSumOverTheAcceptedEvents() throws {
        let hub = try Hub(uses: 5, count: 4)
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let noon = calendar.date(from: DateComponents(year: 2026, month: 12, day: 5, hour: 12))!
        let redemptions = [
            hub.redemption(hub.issued[0], sequence: 1, uses: 2, at: noon),
            hub.redemption(hub.issued[1], sequence: 2, uses: 1, at: noon.addingTimeInterval(60)),
            hub.redemption(hub.issued[2], sequence: 3, uses: 3, at: noon.addingTimeInterval(120)),
            // The next local day: not in the statement.
            hub.redemption(hub.issued[3], sequence: 4, uses: 1, at: noon.addingTimeInterval(13 * 3600)),
        ]
        let void = EventsRequest.Event(type: "void", id: UUIDv7.make().lowercasedString, occurredAt: noon.addingTimeInterval(300),
                                       clockSuspect: false, deviceSequence: 5, source: "test", redemptionId: redemptions[1].id,
                                       reason: "mistake")
        let close = Self.close(UUIDv7.make().lowercasedString, from: 1, to: 5, redemptions: 4, at: noon.addingTimeInterval(600))
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: redemptions + [void, close]), from: hub.device)

        let statement = try hub.store.statement(shop: "SHOP-1", date: "2026-12-05")
        // The sum over what the hub holds, computed apart: accepted redemptions and voids of that local day.
        let held = try hub.store.receivedEvents().filter {
            $0.status == "accepted" && ["redemption", "void"].contains($0.type) && calendar.isDate($0.occurredAt, inSameDayAs: noon)
        }
        let uses = held.filter { $0.type == "redemption" }.map(\.uses).reduce(0, +)
        let voidUses = held.filter { $0.type == "void" }.map(\.uses).reduce(0, +)
        #expect(statement.totals.redemptions == held.filter { $0.type == "redemption" }.count)
        #expect(statement.totals.uses == uses && uses == 6)
        #expect(statement.totals.faceValueFen == 1800 * uses)
        #expect(statement.totals.rewardFen == 200 * uses)
        #expect(statement.totals.voids == 1 && statement.totals.voidUses == voidUses && voidUses == 1)
        #expect(statement.totals.netRewardFen == 200 * (uses - voidUses))
        #expect(statement.campaigns.map(\.campaignId) == ["COFFEE"])
        #expect(statement.shiftCloses.map(\.reconciliation) == ["matched"])
        #expect(try hub.store.statement(shop: "SHOP-1", date: "2026-12-06").totals.redemptions == 1)
        #expect(try hub.store.statement(shop: "SHOP-2", date: "2026-12-05").totals.redemptions == 0)
        for bad in ["2026-13-01", "2026-02-30", "20261205", "2026-1-05", "x"] {
            #expect(throws: HubError.self, "\(bad)") { try hub.store.statement(shop: "SHOP-1", date: bad) }
        }
        #expect(throws: HubError.self) { try hub.store.statement(shop: "NO-SHOP", date: "2026-12-05") }
    }

    @Test func practiceRedemptionsAreApartInTheStatementAndOwedNothing() throws {
        let hub = try Hub()
        try hub.store.createCampaign(CampaignSpec(id: "PRACTICE", title: "练习", product: "练习", faceValueFen: 1800, shopRewardFen: 200,
                                                  uses: 1, shopIDs: [], validDays: 30, activeFrom: nil, activeUntil: nil,
                                                  offlinePolicy: .allowSigned, training: true))
        let practice = try hub.store.issueTokens(campaign: "PRACTICE", count: 1)
        let page = try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)
        #expect(page.campaigns.first { $0.id == "PRACTICE" }?.training == true)
        #expect(page.campaigns.first { $0.id == "COFFEE" }?.training == false)
        let now = Date()
        _ = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [
            hub.redemption(hub.issued[0], sequence: 1, at: now), hub.redemption(practice[0], sequence: 2, at: now),
        ]), from: hub.device)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        let statement = try hub.store.statement(shop: "SHOP-1", date: formatter.string(from: now))
        #expect(statement.totals.redemptions == 1 && statement.totals.netRewardFen == 200)
        #expect(statement.campaigns.map(\.campaignId) == ["COFFEE"])
        #expect(statement.training.redemptions == 1 && statement.training.netRewardFen == 0)
        // The commission engine's export marks it, and only it, as practice.
        let export = try hub.store.exportEvents(after: nil, limit: 100)
        #expect(export.events.map(\.training) == [nil, true])
    }

    /// Review finding: a void of a redemption the hub did not accept takes back no reward it never credited.
    @Test func aVoidOfAConflictingRedemptionTakesNothingBack() throws {
        let hub = try Hub()
        let now = Date()
        // The same single-use token redeemed twice: the second is a conflict.
        let first = hub.redemption(hub.issued[0], sequence: 1, at: now)
        let second = hub.redemption(hub.issued[0], sequence: 2, at: now.addingTimeInterval(1))
        let void = EventsRequest.Event(type: "void", id: UUIDv7.make().lowercasedString, occurredAt: now.addingTimeInterval(2),
                                       clockSuspect: false, deviceSequence: 3, source: "test", redemptionId: second.id, reason: "mistake")
        let answer = try hub.store.ingest(EventsRequest(deviceId: hub.device.id, events: [first, second, void]), from: hub.device)
        #expect(answer.results.map(\.status) == ["accepted", "conflict", "accepted"])
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        let statement = try hub.store.statement(shop: "SHOP-1", date: formatter.string(from: now))
        #expect(statement.totals.redemptions == 1 && statement.totals.voids == 0 && statement.totals.netRewardFen == 200)
    }
}
