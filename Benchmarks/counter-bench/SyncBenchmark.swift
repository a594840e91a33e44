import ArgumentParser
import CounterCore
import CounterHub
import CounterLedger
import CounterSync
import CounterSyncModels
import Foundation
import GRDB
import Logging

/// The code of benchmark token `index`; the token id is the first 16 bytes of its hash (as `seedTokens` makes it).
func benchmarkCode(_ index: Int) -> String { String(format: "BENCH-%08d", index) }

/// Initial sync of many tokens from a real counter-hub process, and draining a week of queued redemptions to it.
struct SyncBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Initial sync of N tokens from counter-hub and draining M queued redemptions, vs. raw SQLite inserts.")

    @Option(help: "Tokens in the initial sync.") var tokens = 1_000_000
    @Option(help: "Queued redemptions to drain.") var events = 100_000
    @Option(help: "Directory on the disk to measure.") var directory = "."
    @Option(help: "Tokens per feed page (counterd's default is 1000).") var pageSize = 1000

    func run() async throws {
        let root = (directory as NSString).appendingPathComponent("counter-bench-sync-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let hubDirectory = root + "/hub"

        // The hub is seeded and served by other processes, so this process's peak RSS is counterd's side only.
        log("seeding counter-hub with \(tokens) tokens …")
        let seedStart = ContinuousClock.now
        try runSelf(["seed-hub", "--data", hubDirectory, "--tokens", "\(tokens)"])
        log("seeded in \(ContinuousClock.now - seedStart)")
        let port = 18_000 + Int.random(in: 0..<2000)
        let hub = Process()
        hub.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("counter-hub")
        hub.arguments = ["serve", "--data", hubDirectory, "--listen", "127.0.0.1:\(port)"]
        hub.standardOutput = FileHandle.nullDevice
        try hub.run()
        defer { hub.terminate(); hub.waitUntilExit() }
        let hubURL = URL(string: "http://127.0.0.1:\(port)")!
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await HubClient(baseURL: hubURL, token: nil).time()) != nil
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        let code = try HubStore(directory: hubDirectory).makeEnrollmentCode(shop: "BENCH-SHOP")
        let enrolled = try await HubClient(baseURL: hubURL, token: nil).enroll(code: code, deviceName: "bench")

        let ledger = try Ledger(path: root + "/ledger.sqlite", identity: DeviceIdentity(deviceID: enrolled.deviceId, shopID: enrolled.shopId))
        let client = HubClient(baseURL: hubURL, token: enrolled.deviceToken)
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let downloader = FeedDownloader(ledger: ledger, client: client, rootPublicKey: Hex.decode(enrolled.rootPublicKey)!,
                                        pageLimit: pageSize, logger: logger)
        log("initial sync …")
        let rssBefore = peakRSS()
        let syncStart = ContinuousClock.now
        let report = try await downloader.run { progress in
            if progress.pages % 100 == 0 { log("  \(progress.tokens) tokens") }
        }
        let syncTime = seconds(ContinuousClock.now - syncStart)
        let rssAfterSync = peakRSS()
        precondition(report.tokens == tokens && report.upToDate)

        log("baseline: raw bulk insert of the same rows …")
        let baselineTime = try rawBulkInsert(path: root + "/baseline.sqlite", count: tokens, batch: pageSize)

        log("redeeming \(events) codes offline …")
        for index in 0..<events {
            let verdict = try await ledger.redeem(benchmarkCode(index), source: "bench")
            precondition(verdict.isAccepted)
            if index % 20_000 == 0, index > 0 { log("  \(index)") }
        }
        log("draining \(events) events to counter-hub …")
        let uploader = EventUploader(ledger: ledger, client: client, deviceID: enrolled.deviceId, logger: logger)
        let drainStart = ContinuousClock.now
        let upload = try await uploader.run()
        let drainTime = seconds(ContinuousClock.now - drainStart)
        precondition(upload.accepted == events)
        let baselineDrain = try rawBulkInsert(path: root + "/baseline-events.sqlite", count: events, batch: 500)

        let syncRate = Double(tokens) / syncTime
        let baselineRate = Double(tokens) / baselineTime
        print("""
            Initial sync of \(tokens) tokens (\(report.pages) pages of \(pageSize)) from counter-hub over loopback, in \(root).

            | measurement | time | rows/s | ratio to raw insert |
            |---|---|---|---|
            | baseline: raw SQLite insert of the same token rows, same indexes, \(pageSize) per transaction | \(format(baselineTime)) s | \(Int(baselineRate)) | 1.00 |
            | counterd initial sync: HTTP pages, validation, one transaction per page | \(format(syncTime)) s | \(Int(syncRate)) | \(String(format: "%.2f", syncRate / baselineRate)) |
            | drain \(events) queued redemptions to counter-hub (\(upload.batches) batches) | \(format(drainTime)) s | \(Int(Double(events) / drainTime)) | \(String(format: "%.2f", (Double(events) / drainTime) / (Double(events) / baselineDrain))) (vs raw insert of \(events) rows, 500 per transaction) |

            Peak RSS of the counterd side (this process): \(rssBefore / 1024) MB before the sync, \(rssAfterSync / 1024) MB after it.
            """)
    }

    func runSelf(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ExitCode(process.terminationStatus) }
    }
}

/// One raw INSERT per token row into a ledger's `token` table (same schema and indexes), `batch` rows per transaction.
func rawBulkInsert(path: String, count: Int, batch: Int) throws -> TimeInterval {
    let ledger = try Ledger(path: path, identity: DeviceIdentity(deviceID: "b", shopID: "b"))
    ledger.close()
    let pool = try DatabasePool(path: path)
    let start = ContinuousClock.now
    try pool.writeWithoutTransaction { db in
        try db.execute(sql: "PRAGMA synchronous = FULL")
        try insertTokenRows(db, count: count, batch: batch) { "RAW-\($0)" }
    }
    return seconds(ContinuousClock.now - start)
}

/// Inserts `count` token rows straight into a ledger's `token` table (its schema and indexes), `batch` rows per
/// transaction, each the token of `code(row)`. `progress` hears the rows written after each transaction.
func insertTokenRows(_ db: Database, count: Int, batch: Int, code: (Int) -> String,
                     progress: (Int) -> Void = { _ in }) throws {
    let insert = try db.makeStatement(sql: """
        INSERT INTO token (id, code_hash, campaign_id, shop_scope, uses_total, uses_server, uses_remaining, status, origin)
        VALUES (?, ?, 'C', '[]', 1, 0, 1, 'active', 'cache')
        """)
    var index = 0
    while index < count {
        try db.inTransaction {
            for row in index..<min(count, index + batch) {
                let hash = try CanonicalCode(code(row)).hash
                try insert.execute(arguments: [Hex.encode(hash.bytes.prefix(16)), Data(hash.bytes)])
            }
            return .commit
        }
        index += batch
        progress(min(index, count))
    }
}

/// Hidden helper: creates a hub with one shop, one campaign and N benchmark tokens.
struct SeedHub: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed-hub", shouldDisplay: false)
    @Option var data: String
    @Option var tokens: Int

    func run() throws {
        let store = try HubStore(directory: data)
        try store.createShop(id: "BENCH-SHOP", name: "Bench")
        try store.createCampaign(CampaignSpec(id: "BENCH", title: "Bench", product: "P", faceValueFen: 100, shopRewardFen: 10,
                                              uses: 1, shopIDs: [], validDays: nil, activeFrom: nil, activeUntil: nil,
                                              offlinePolicy: .allowSigned))
        var index = 0
        while index < tokens {
            try store.seedTokens(campaign: "BENCH", codes: (index..<min(tokens, index + 50_000)).map(benchmarkCode))
            index += 50_000
        }
    }
}

/// Peak resident set size of this process in KiB (VmHWM).
func peakRSS() -> Int {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

func seconds(_ duration: Duration) -> TimeInterval {
    TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
}

func format(_ value: TimeInterval) -> String { String(format: "%.1f", value) }

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
