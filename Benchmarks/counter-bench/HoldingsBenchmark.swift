import ArgumentParser
import CounterCore
import CounterHub
import CounterLedger
import CounterSync
import CounterSyncModels
import Foundation
import Logging

/// What each counter must hold (issue 16, item 7): the feed's rows and bytes per counter, and its initial sync
/// time, for the campaign shapes of a platform, with the `all` and `exceptions` token feeds.
struct HoldingsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "holdings",
        abstract: "Feed rows, bytes and initial sync per counter for platform-wide and shop campaigns and mass revocations.")

    @Option(help: "Codes of the any-shop campaign.") var anyShopCodes = 1_000_000
    @Option(help: "Codes of the shop campaign.") var shopCodes = 10_000
    @Option(help: "Revoked codes of the any-shop campaign.") var revocations = 100_000
    @Option(help: "Directory on the disk to measure.") var directory = "."
    @Flag(help: "Skip the initial sync of the any-shop campaign with the `all` feed (the slow one).") var skipFullCopy = false

    struct Shape {
        let name: String
        let seed: (HubStore) throws -> Void
    }

    func run() async throws {
        guard anyShopCodes >= revocations, shopCodes >= 0, revocations >= 0 else {
            throw ValidationError("revocations must not exceed the any-shop campaign's codes")
        }
        let root = (directory as NSString).appendingPathComponent("counter-bench-holdings-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let anyShop = { (feed: TokenFeed) in
            CampaignSpec(id: "PLATFORM", title: "Platform", product: "P", faceValueFen: 100, shopRewardFen: 20, uses: 1, shopIDs: [],
                         validDays: nil, activeFrom: nil, activeUntil: nil, offlinePolicy: .allowSigned, tokenFeed: feed)
        }
        let codes = anyShopCodes
        let revoked = revocations
        var shapes = [
            Shape(name: "\(codes) codes, any shop, token feed `exceptions`") { store in
                try store.createCampaign(anyShop(.exceptions))
                try seed(store, "PLATFORM", count: codes)
            },
            Shape(name: "\(shopCodes) codes of this shop's campaign") { store in
                try store.createCampaign(CampaignSpec(id: "SHOP", title: "Shop", product: "P", faceValueFen: 100, shopRewardFen: 20,
                                                      uses: 1, shopIDs: ["HERE"], validDays: nil, activeFrom: nil, activeUntil: nil,
                                                      offlinePolicy: .allowSigned))
                try seed(store, "SHOP", count: shopCodes)
            },
            Shape(name: "\(revoked) of \(codes) any-shop codes revoked, token feed `exceptions`") { store in
                try store.createCampaign(anyShop(.exceptions))
                try seed(store, "PLATFORM", count: codes)
                var index = 0
                while index < revoked {
                    let ids = try (index..<min(revoked, index + 10_000)).map { try Self.tokenID(benchmarkCode($0)) }
                    try store.revokeTokens(ids, reason: "refund")
                    index += 10_000
                }
            },
        ]
        if !skipFullCopy {
            shapes.insert(Shape(name: "\(codes) codes, any shop, token feed `all` (before issue 16)") { store in
                try store.createCampaign(anyShop(.all))
                try seed(store, "PLATFORM", count: codes)
            }, at: 0)
        }
        var rows = ["""
            Per counter, from an empty ledger. Bytes: the JSON of every feed page (limit 1000) until up to date. Sync: \
            counterd's FeedDownloader against `counter-hub serve` over loopback, into a new ledger (synchronous=FULL).

            | campaign shape | feed rows | feed bytes | pages | initial sync | rows/s | ratio to raw insert |
            |---|---|---|---|---|---|---|
            """]
        for (number, shape) in shapes.enumerated() {
            log("[\(shape.name)] seeding …")
            let hubDirectory = root + "/hub-\(number)"
            let store = try HubStore(directory: hubDirectory)
            try store.createShop(id: "HERE", name: "Here")
            try shape.seed(store)
            let (feedRows, bytes, pages) = try feedSize(store)
            log("[\(shape.name)] \(feedRows) rows, \(bytes) bytes; initial sync …")
            let (syncTime, synced) = try await initialSync(hubDirectory: hubDirectory, store: store, ledgerPath: root + "/ledger-\(number).sqlite")
            let baseline = synced > 0 ? try rawBulkInsert(path: root + "/baseline-\(number).sqlite", count: synced, batch: 1000) : 0
            let rate = Double(synced) / syncTime
            rows.append("| \(shape.name) | \(feedRows) | \(String(format: "%.1f MB", Double(bytes) / 1e6)) | \(pages) | \(String(format: "%.2f", syncTime)) s "
                        + "| \(synced > 0 ? String(Int(rate)) : "–") | \(synced > 0 ? String(format: "%.2f", rate / (Double(synced) / baseline)) : "–") |")
        }
        print(rows.joined(separator: "\n"))
    }

    static func tokenID(_ code: String) throws -> String { Hex.encode(try CanonicalCode(code).hash.bytes.prefix(16)) }

    /// The rows (campaigns, tokens, revocations, tombstones) and JSON bytes of a new counter's feed, page by page.
    func feedSize(_ store: HubStore) throws -> (rows: Int, bytes: Int, pages: Int) {
        let device = try store.enroll(code: try store.makeEnrollmentCode(shop: "HERE"), deviceName: "measure").device
        let encoder = WireJSON.encoder(for: FeedPage.self)
        var cursor: String?
        var rows = 0, bytes = 0, pages = 0
        while true {
            let page = try store.feedPage(for: device, cursor: cursor, limit: 1000)
            rows += page.campaigns.count + page.tokens.count + page.revocations.count + page.tombstones.count
            bytes += try encoder.encode(page).count
            pages += 1
            cursor = page.nextCursor
            if page.upToDate { return (rows, bytes, pages) }
        }
    }

    /// counterd's initial sync of the hub in `hubDirectory`, served by a counter-hub process: seconds, tokens stored.
    func initialSync(hubDirectory: String, store: HubStore, ledgerPath: String) async throws -> (TimeInterval, Int) {
        let hub = FleetHubProcess(storeArguments: ["--data", hubDirectory], port: 20_000 + Int.random(in: 0..<20_000))
        try await hub.start()
        defer { hub.stop() }
        let enrolled = try await HubClient(baseURL: hub.url, token: nil)
            .enroll(code: try store.makeEnrollmentCode(shop: "HERE"), deviceName: "bench")
        let ledger = try Ledger(path: ledgerPath, identity: DeviceIdentity(deviceID: enrolled.deviceId, shopID: enrolled.shopId))
        let downloader = FeedDownloader(ledger: ledger, client: HubClient(baseURL: hub.url, token: enrolled.deviceToken),
                                        rootPublicKey: Hex.decode(enrolled.rootPublicKey)!, pageLimit: 1000,
                                        logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let start = ContinuousClock.now
        let report = try await downloader.run { progress in
            if progress.pages % 200 == 0 { log("  \(progress.tokens) tokens") }
        }
        precondition(report.upToDate)
        return (seconds(ContinuousClock.now - start), report.tokens)
    }
}

/// Seeds `count` benchmark codes into a campaign, 50,000 per transaction.
private func seed(_ store: HubStore, _ campaign: String, count: Int) throws {
    var index = 0
    while index < count {
        try store.seedTokens(campaign: campaign, codes: (index..<min(count, index + 50_000)).map(benchmarkCode))
        index += 50_000
    }
}
