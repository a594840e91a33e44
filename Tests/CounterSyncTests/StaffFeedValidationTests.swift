import CounterCore
import CounterLedger
import CounterSync
import CounterSyncModels
import Foundation
import Testing

/// A feed page's staff members are checked like its tokens: one invalid field refuses the whole page (issue 17).
@Suite struct StaffFeedValidationTests {
    static let verifier = PINVerifier(kdf: PINVerifier.pbkdf2SHA256, iterations: PINVerifier.defaultIterations,
                                      salt: Data(repeating: 7, count: 16), hash: Data(repeating: 9, count: 32))

    static func page(_ staff: [FeedPage.StaffMember]?) -> FeedPage {
        FeedPage(serverTime: Date(), cursor: "c1", nextCursor: "c2", position: 2, upToDate: true, reset: false,
                 maxDataAgeSeconds: 86_400, watermark: .init(deviceSequence: 0), shop: .init(id: "SHOP-1", name: "s", timeZone: "UTC"),
                 campaigns: [], tokens: [], tombstones: [], revocations: [], keySet: nil, staff: staff)
    }

    static func member(id: String = "li-na", name: String = "李娜", role: String = "cashier", verifier: PINVerifier? = verifier) -> FeedPage.StaffMember {
        FeedPage.StaffMember(staffId: id, name: name, role: role, enabled: true, pinVerifier: verifier)
    }

    @Test func aValidMemberIsConvertedAndAnAbsentListStaysAbsent() throws {
        let update = try Self.page([Self.member(), Self.member(id: "wang", role: "manager", verifier: nil)]).validated(rootPublicKey: [])
        #expect(update.staff == [StaffMember(id: "li-na", name: "李娜", role: .cashier, enabled: true, pinVerifier: Self.verifier),
                                 StaffMember(id: "wang", name: "李娜", role: .manager, enabled: true, pinVerifier: nil)])
        #expect(try Self.page(nil).validated(rootPublicKey: []).staff == nil)
    }

    static let hostile: [FeedPage.StaffMember] = [
        member(id: ""), member(id: "has space"), member(id: String(repeating: "x", count: 65)), member(id: "名"),
        member(name: ""), member(name: String(repeating: "名", count: 65)), member(name: "a\u{1B}[2Jb"),
        member(role: "owner"), member(role: "CASHIER"),
        member(verifier: PINVerifier(kdf: "md5", iterations: 600_000, salt: Data(count: 16), hash: Data(count: 32))),
        member(verifier: PINVerifier(kdf: PINVerifier.pbkdf2SHA256, iterations: 1, salt: Data(count: 16), hash: Data(count: 32))),
        member(verifier: PINVerifier(kdf: PINVerifier.pbkdf2SHA256, iterations: Int.max, salt: Data(count: 16), hash: Data(count: 32))),
        member(verifier: PINVerifier(kdf: PINVerifier.pbkdf2SHA256, iterations: 600_000, salt: Data(count: 4), hash: Data(count: 32))),
        member(verifier: PINVerifier(kdf: PINVerifier.pbkdf2SHA256, iterations: 600_000, salt: Data(count: 16), hash: Data(count: 31))),
    ]

    @Test(arguments: hostile) func anInvalidMemberRefusesThePage(member: FeedPage.StaffMember) {
        #expect(throws: SyncError.self) { try Self.page([Self.member(id: "ok"), member]).validated(rootPublicKey: []) }
    }

    @Test func hostileJSONIsRefusedBeforeAnyKeyIsDerived() throws {
        // An iteration count that does not fit an Int, a salt that is not base64: the page does not decode.
        for verifier in [#"{"kdf":"pbkdf2-sha256","iterations":1e30,"salt":"AAAA","hash":"AAAA"}"#,
                         #"{"kdf":"pbkdf2-sha256","iterations":600000,"salt":"%%%","hash":"AAAA"}"#] {
            let json = #"{"staff_id":"a","name":"n","role":"cashier","enabled":true,"pin_verifier":\#(verifier)}"#
            #expect(throws: DecodingError.self) { try WireJSON.decoder(for: FeedPage.self).decode(FeedPage.StaffMember.self, from: Data(json.utf8)) }
        }
    }

    @Test func theManagerVoidWindowIsCheckedAndCarried() throws {
        var page = Self.page(nil)
        #expect(try page.validated(rootPublicKey: []).shop.managerVoidWindow == nil)
        page.shop.settings.managerVoidWindowSeconds = 3600
        #expect(try page.validated(rootPublicKey: []).shop.managerVoidWindow == 3600)
        for hostile in [-1, 604_801, Int.max] {
            page.shop.settings.managerVoidWindowSeconds = hostile
            #expect(throws: SyncError.self) { try page.validated(rootPublicKey: []) }
        }
    }
}
