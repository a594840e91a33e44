import CounterCore
@testable import CounterHub
import CounterSyncModels
import Foundation
import Testing

/// Issue 17, item 1: staff managed at the hub, on both backends.
@Suite struct StaffTests {
    static let fast = PINVerifier.iterationRange.lowerBound

    @Test func staffAreAddedGivenAPINDisabledAndListed() throws {
        let hub = try Hub()
        try hub.store.addStaff(id: "li-na", shop: "SHOP-1", name: " 李娜 ", role: .cashier)
        try hub.store.addStaff(id: "wang", shop: "SHOP-1", name: "王店长", role: .manager)
        try hub.store.addStaff(id: "zhao", shop: "SHOP-2", name: "赵", role: .cashier)
        var listed = try hub.store.staff(shop: "SHOP-1")
        #expect(listed.map(\.id) == ["li-na", "wang"])
        #expect(listed[0].name == "李娜", "names are trimmed")
        #expect(listed[0].role == .cashier && listed[1].role == .manager)
        #expect(listed.allSatisfy { $0.enabled && !$0.hasPin })
        #expect(try hub.store.staff().count == 3)

        let before = listed[0].position
        try hub.store.setStaffPIN(id: "li-na", pin: "482913", iterations: Self.fast)
        let verifier = try #require(try hub.store.staffPINVerifier(id: "li-na"))
        #expect(verifier.matches("482913"))
        #expect(!verifier.matches("000000"))
        try hub.store.setStaffEnabled(id: "li-na", false)
        listed = try hub.store.staff(shop: "SHOP-1")
        #expect(listed[0].hasPin)
        #expect(!listed[0].enabled)
        #expect(listed[0].position > before, "each change takes a new feed position of the shop")
        #expect(try hub.store.staffPINVerifier(id: "wang") == nil)
    }

    @Test func badInputIsRefusedWithAClearErrorAndChangesNothing() throws {
        let hub = try Hub()
        try hub.store.addStaff(id: "li-na", shop: "SHOP-1", name: "李娜", role: .cashier)
        let refusals: [(String, () throws -> Void)] = [
            ("exists", { try hub.store.addStaff(id: "li-na", shop: "SHOP-2", name: "x", role: .cashier) }),
            ("not_found", { try hub.store.addStaff(id: "new", shop: "NO-SHOP", name: "x", role: .cashier) }),
            ("invalid_id", { try hub.store.addStaff(id: "has space", shop: "SHOP-1", name: "x", role: .cashier) }),
            ("invalid_name", { try hub.store.addStaff(id: "blank", shop: "SHOP-1", name: "   ", role: .cashier) }),
            ("invalid_name", { try hub.store.addStaff(id: "long", shop: "SHOP-1", name: String(repeating: "名", count: 65), role: .cashier) }),
            ("invalid_name", { try hub.store.addStaff(id: "ctrl", shop: "SHOP-1", name: "a\u{7}b", role: .cashier) }),
            ("invalid_pin", { try hub.store.setStaffPIN(id: "li-na", pin: "12345", iterations: Self.fast) }),
            ("invalid_pin", { try hub.store.setStaffPIN(id: "li-na", pin: "12ab56", iterations: Self.fast) }),
            ("not_found", { try hub.store.setStaffPIN(id: "nobody", pin: "123456", iterations: Self.fast) }),
            ("not_found", { try hub.store.setStaffEnabled(id: "nobody", false) }),
        ]
        for (code, refusal) in refusals {
            #expect(throws: HubError.self) { try refusal() }
            do { try refusal() } catch let error as HubError { #expect(error.code == code, "\(error.message)") } catch {}
        }
        #expect(try hub.store.staff().map(\.id) == ["li-na"])
        #expect(try hub.store.staffPINVerifier(id: "li-na") == nil)
    }

    @Test func staffTravelInTheirShopsFeedWithTheVerifierOnly() throws {
        let hub = try Hub()
        try hub.store.addStaff(id: "li-na", shop: "SHOP-1", name: "李娜", role: .cashier)
        try hub.store.setStaffPIN(id: "li-na", pin: "482913", iterations: Self.fast)
        try hub.store.addStaff(id: "wang", shop: "SHOP-1", name: "王店长", role: .manager)
        try hub.store.addStaff(id: "zhao", shop: "SHOP-2", name: "赵", role: .cashier)

        // A full sync sends every member of the device's shop, none of another shop's.
        var cursor: String?
        var sent: [String: FeedPage.StaffMember] = [:]
        repeat {
            let page = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 2)
            for member in page.staff ?? [] { sent[member.staffId] = member }
            cursor = page.nextCursor
            if page.upToDate { break }
        } while true
        #expect(Set(sent.keys) == ["li-na", "wang"])
        let linA = try #require(sent["li-na"])
        #expect(linA.name == "李娜" && linA.role == "cashier" && linA.enabled)
        #expect(linA.pinVerifier?.matches("482913") == true)
        #expect(sent["wang"]?.pinVerifier == nil)
        let json = String(decoding: try WireJSON.encoder(for: FeedPage.self).encode(try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)),
                          as: UTF8.self)
        #expect(json.contains(#""pin_verifier":null"#))
        #expect(json.contains(#""staff_id":"li-na""#))
        #expect(!json.contains("482913"), "the PIN never travels")

        // Nothing changed: the next page is quiet. A change sends that member again, whole.
        let quiet = try hub.store.feedPage(for: hub.device, cursor: cursor, limit: 100)
        #expect(quiet.staff == [])
        try hub.store.setStaffEnabled(id: "li-na", false)
        try hub.store.setStaffEnabled(id: "zhao", false)
        let changed = try hub.store.feedPage(for: hub.device, cursor: quiet.nextCursor, limit: 100)
        #expect(changed.staff?.map(\.staffId) == ["li-na"])
        #expect(changed.staff?.first?.enabled == false)
        #expect(changed.staff?.first?.pinVerifier?.matches("482913") == true)
    }

    @Test func theManagerVoidWindowIsAShopSettingInEveryPage() throws {
        let hub = try Hub()
        let before = try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)
        #expect(before.shop.settings.managerVoidWindowSeconds == 86_400, "24 hours unless set")
        try hub.store.setManagerVoidWindow(shop: "SHOP-1", seconds: 3600)
        let after = try hub.store.feedPage(for: hub.device, cursor: before.nextCursor, limit: 100)
        #expect(after.shop.settings.managerVoidWindowSeconds == 3600)
        #expect(after.position > before.position, "the change wakes the shop's live feeds")
        for bad in [-1, 604_801] {
            #expect(throws: HubError.self) { try hub.store.setManagerVoidWindow(shop: "SHOP-1", seconds: bad) }
        }
        #expect(throws: HubError.self) { try hub.store.setManagerVoidWindow(shop: "NO-SHOP", seconds: 60) }
    }

    @Test func aBadgeIsSignedForTheMembersShopAndANewOneRetiresTheOld() throws {
        let hub = try Hub()
        try hub.store.addStaff(id: "li-na", shop: "SHOP-1", name: "李娜", role: .cashier)
        let first = try hub.store.issueStaffBadge(id: "li-na")
        let badge = try StaffBadge(parsing: CanonicalCode(first))
        #expect(badge.shopID == "SHOP-1" && badge.staffID == "li-na")
        var page = try hub.store.feedPage(for: hub.device, cursor: nil, limit: 100)
        #expect(page.staff?.first?.badgeId == Hex.encode(badge.badgeID))
        // Signed with a key of the key set the counters hold.
        let keySet = try #require(page.keySet)
        let keys = try KeySet.verified(payload: Array(Data(base64Encoded: keySet.payload)!), signature: Array(Data(base64Encoded: keySet.signature)!),
                                       rootPublicKey: Array(Hex.decode(try hub.store.rootPublicKeyHex())!))
        #expect(keys.signingKeys.contains { $0.id == badge.keyID && badge.isSigned(by: $0) })

        let second = try StaffBadge(parsing: CanonicalCode(try hub.store.issueStaffBadge(id: "li-na")))
        #expect(second.badgeID != badge.badgeID)
        page = try hub.store.feedPage(for: hub.device, cursor: page.nextCursor, limit: 100)
        #expect(page.staff?.first?.badgeId == Hex.encode(second.badgeID))
        #expect(throws: HubError.self) { try hub.store.issueStaffBadge(id: "nobody") }
    }
}
