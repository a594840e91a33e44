// Fuzz target: counter-hub's intake of `POST /v1/events`: the JSON body decoded as HubRouter does, then
// ingested by HubStore (each input into a fresh copy of an in-memory store that holds a shop, a campaign,
// seeded tokens and an enrolled device), twice, the second time as a resend.
import CounterCore
import CounterHub
import CounterSyncModels
import Foundation
import FuzzSupport
import GRDB

let now = Date(timeIntervalSince1970: 1_795_000_000)
let template = try! DatabaseQueue()
let device: HubDevice = {
    let store = try! HubStore(writer: template)
    try! store.createShop(id: "shop-017", name: "East Gate")
    try! store.createCampaign(CampaignSpec(id: "COFFEE-2611", title: "Coffee", product: "Americano", faceValueFen: 1800,
                                           shopRewardFen: 150, uses: 3, shopIDs: [], validDays: nil, activeFrom: nil,
                                           activeUntil: nil, offlinePolicy: .allowSigned))
    try! store.seedTokens(campaign: "COFFEE-2611", codes: ["SINGLE-0001", "SINGLE-0002"])
    try! store.seedTokens(campaign: "COFFEE-2611", codes: ["CARD-0010"], uses: 10)
    let code = try! store.makeEnrollmentCode(shop: "shop-017", now: now)
    return try! store.enroll(code: code, deviceName: "till", now: now).device
}()
let decoder = WireJSON.decoder()

fuzz { bytes in
    guard let request = try? decoder.decode(EventsRequest.self, from: Data(bytes)) else { return }
    let copy = try! DatabaseQueue()
    try! template.backup(to: copy)
    let store = try! HubStore(writer: copy)
    let first = try! store.ingest(request, from: device, now: now)
    precondition(first.results.count == request.events.count, "one result per event")
    let again = try! store.ingest(request, from: device, now: now.addingTimeInterval(60))
    precondition(again.results.count == request.events.count, "one result per event")
}
