// Fuzz target: a feed page as the hub (or anything in between) sends it: JSON decode, validation against
// the contract, then applied to a ledger (an in-memory SQLite database, fresh for each input).
import CounterCore
import CounterLedger
import CounterSync
import CounterSyncModels
import Crypto
import Foundation
import FuzzSupport
import GRDB

let rootKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 5, count: 32))
let identity = DeviceIdentity(deviceID: "dev-01JD4K2M7B", shopID: "shop-017")
let now = Date(timeIntervalSince1970: 1_795_000_000)
let decoder = WireJSON.decoder(for: FeedPage.self)
// A migrated ledger, copied for each input (faster than migrating a new one).
let template: DatabaseQueue = {
    let queue = try! DatabaseQueue()
    _ = try! Ledger(writer: queue, identity: identity)
    return queue
}()

fuzz { bytes in
    guard let page = try? decoder.decode(FeedPage.self, from: Data(bytes)),
          let update = try? page.validated(rootPublicKey: Array(rootKey.publicKey.rawRepresentation)) else { return }
    let copy = try! DatabaseQueue()
    try! template.backup(to: copy)
    let ledger = try! Ledger(writer: copy, identity: identity)
    // The page twice: a fresh ledger, then one that holds the page already (a resent page).
    for _ in 0..<2 {
        // A page the ledger refuses (FeedPageRejected, or SQLite refusing a duplicate) is fine: the counter
        // keeps its cache and reports the error. Only a trap is a finding.
        if case .failure = blocking({ try await ledger.apply(update, at: now) }) { return }
    }
    _ = blocking { try await ledger.syncState() }
}
