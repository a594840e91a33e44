import CounterCore
@testable import CounterHub
import CounterSyncModels
import CounterTestSupport
import Foundation

/// A hub store (``TestDatabase``: SQLite or PostgreSQL) with two shops, one campaign, issued tokens and one device enrolled
/// at SHOP-1.
struct Hub {
    /// The store's directory or PostgreSQL URL (``TestDatabase``).
    let location: String
    let store: HubStore
    let device: HubDevice
    let token: String
    let issued: [IssuedToken]

    init(uses: Int = 1, count: Int = 3, shops: [String] = []) throws {
        location = try TestDatabase.location()
        store = try HubStore(location: location)
        try store.createShop(id: "SHOP-1", name: "东门")
        try store.createShop(id: "SHOP-2", name: "西门")
        try store.createCampaign(CampaignSpec(id: "COFFEE", title: "Coffee", product: "Americano", faceValueFen: 1800,
                                              shopRewardFen: 200, uses: uses, shopIDs: shops, validDays: 30,
                                              activeFrom: nil, activeUntil: nil, offlinePolicy: .allowSigned))
        issued = try store.issueTokens(campaign: "COFFEE", count: count)
        (device, token) = try store.enroll(code: try store.makeEnrollmentCode(shop: "SHOP-1"), deviceName: "till")
    }

    /// A redemption event of one of the issued tokens by the enrolled device.
    func redemption(_ token: IssuedToken, sequence: Int64, uses: Int = 1, id: String = UUIDv7.make().lowercasedString,
                    at: Date = Date()) -> EventsRequest.Event {
        EventsRequest.Event(type: "redemption", id: id, occurredAt: at, clockSuspect: false, deviceSequence: sequence,
                            tokenId: token.tokenId, campaignId: "COFFEE", shopId: device.shopID, uses: uses, via: "cache",
                            codeLast4: String(token.code.suffix(4)), source: "test")
    }
}
