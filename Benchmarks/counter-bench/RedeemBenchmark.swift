import ArgumentParser
import CounterAPI
import CounterAPIModels
import CounterClient
import CounterCore
import CounterDaemon
import CounterLedger
import Foundation
import GRDB
import Logging

/// Redemption latency from API request to committed verdict, against a raw SQLite INSERT+COMMIT baseline.
struct RedeemBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem",
        abstract: "Redemption latency (API request to committed verdict) vs. a raw SQLite INSERT+COMMIT.")

    @Option(help: "Redemptions to time (each a different single-use code).") var count = 10_000
    @Option(help: "Directory on the disk to measure (the ledger and the baseline database go here).")
    var directory = "."

    func run() async throws {
        let root = (directory as NSString).appendingPathComponent("counter-bench-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let warmup = 200

        let baseline = try Self.baselineInsertCommit(path: root + "/baseline.sqlite", count: count + warmup, warmup: warmup)
        let floor = try await sameWritesAsRawSQL(directory: root + "/floor", count: count + warmup, warmup: warmup)

        var configuration = try DaemonConfiguration.demo(environment: [:])
        configuration.stateDirectory = root + "/state"
        configuration.api = APIListeners(socketPath: root + "/api.sock")
        configuration.loadDemoData = false
        configuration.scanners = []
        let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
        let (ready, readyContinuation) = AsyncStream.makeStream(of: String.self)
        let daemon = try await buildDaemon(configuration, logger: logger) { readyContinuation.yield($0) }
        let codes = (0..<(2 * (count + warmup))).map { String(format: "BENCH-%08d", $0) }
        try await daemon.ledger.apply(CacheUpdate(campaigns: DemoData.cacheUpdate(now: Date()).campaigns,
                                                  tokens: codes.map(Self.token)))
        let server = Task { try await daemon.run() }
        for await _ in ready { break }

        // Ledger only: verify + redeem transaction, no HTTP.
        var ledgerSamples: [Duration] = []
        for (index, code) in codes.prefix(count + warmup).enumerated() {
            let elapsed = try await measure {
                let verdict = try await daemon.ledger.redeem(code, source: "bench")
                precondition(verdict.isAccepted)
            }
            if index >= warmup { ledgerSamples.append(elapsed) }
        }

        // Through the local API on its unix socket, as counterctl and POS software call it.
        let client = CounterClient(socketPath: configuration.api.socketPath)
        var apiSamples: [Duration] = []
        for (index, code) in codes.suffix(count + warmup).enumerated() {
            let elapsed = try await measure {
                let verdict = try await client.redeem(code, source: "bench")
                precondition(verdict.isAccepted)
            }
            if index >= warmup { apiSamples.append(elapsed) }
        }
        server.cancel()
        _ = try? await server.value

        let base = LatencySummary(baseline)
        print("""
            Redemption latency, \(count) samples each after \(warmup) warm-up, in \(root).
            All three use WAL and synchronous=FULL on the same disk. Latencies in µs.

            | measurement | samples | p50 | p90 | p99 | max | p50 vs baseline |
            |---|---|---|---|---|---|---|
            \(base.row("baseline: raw SQLite INSERT+COMMIT", baseline: base))
            \(LatencySummary(floor).row("floor: the redeem's reads and writes as raw SQL, synchronous", baseline: base))
            \(LatencySummary(ledgerSamples).row("ledger: verify + redeem transaction", baseline: base))
            \(LatencySummary(apiSamples).row("API: POST /api/v1/redeem over the unix socket", baseline: base))
            """)
    }

    static func token(_ code: String) -> Token {
        let canonical = try! CanonicalCode(code)
        var id = Array(canonical.hash.bytes.prefix(16))
        id[0] ^= 0xB0
        return Token(id: TokenID(bytes: id)!, codeHash: canonical.hash, campaignID: "DEMO-COFFEE", shopScope: .anyShop,
                     usesTotal: 1, usesRemaining: 1, validFrom: nil, validUntil: nil)
    }

    /// The statements a redemption runs (token lookup, revocation and campaign reads, uses, sequence,
    /// redemption and outbox inserts) as cached raw SQL in one synchronous transaction on a real ledger file:
    /// the I/O cost the schema itself implies, without verification, Swift values or task hops.
    func sameWritesAsRawSQL(directory: String, count: Int, warmup: Int) async throws -> [Duration] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledger = try Ledger(path: directory + "/ledger.sqlite", identity: DeviceIdentity(deviceID: "d", shopID: "s"))
        let codes = (0..<count).map { String(format: "FLOOR-%08d", $0) }
        try await ledger.apply(CacheUpdate(campaigns: DemoData.cacheUpdate(now: Date()).campaigns, tokens: codes.map(Self.token)))
        ledger.close()
        return try Self.runRawRedeems(pool: try DatabasePool(path: directory + "/ledger.sqlite"), codes: codes, warmup: warmup)
    }

    static func runRawRedeems(pool: DatabasePool, codes: [String], warmup: Int) throws -> [Duration] {
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            var samples: [Duration] = []
            for (index, code) in codes.enumerated() {
                let hash = Data(try CanonicalCode(code).hash.bytes)
                let start = ContinuousClock.now
                try db.inTransaction(.immediate) {
                    let tokenID = try String.fetchOne(db.cachedStatement(sql: "SELECT id FROM token WHERE code_hash = ?"),
                                                      arguments: [hash]) ?? ""
                    _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM revocation WHERE token_id = ?"), arguments: [tokenID])
                    _ = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM campaign WHERE id = ?"), arguments: ["DEMO-COFFEE"])
                    try db.cachedStatement(sql: "UPDATE token SET uses_remaining = 0 WHERE id = ?").execute(arguments: [tokenID])
                    let sequence = try Int64.fetchOne(db.cachedStatement(
                        sql: "UPDATE device_state SET last_sequence = last_sequence + 1 WHERE id = 1 RETURNING last_sequence")) ?? 0
                    let id = "floor-\(index)"
                    try db.cachedStatement(sql: """
                        INSERT INTO redemption (id, device_sequence, token_id, campaign_id, shop_id, device_id, uses, code_last4,
                                                via, source, redeemed_at, clock_suspect)
                        VALUES (?, ?, ?, 'DEMO-COFFEE', 's', 'd', 1, '0001', 'cache', 'bench', ?, 0)
                        """).execute(arguments: [id, sequence, tokenID, Date()])
                    try db.cachedStatement(sql: "INSERT INTO outbox (kind, item_id, priority, created_at) VALUES ('redemption', ?, 0, ?)")
                        .execute(arguments: [id, Date()])
                    return .commit
                }
                let elapsed = ContinuousClock.now - start
                if index >= warmup { samples.append(elapsed) }
            }
            return samples
        }
    }

    /// One INSERT and COMMIT per sample, on a WAL database with synchronous=FULL.
    static func baselineInsertCommit(path: String, count: Int, warmup: Int) throws -> [Duration] {
        let pool = try DatabasePool(path: path)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        }
        return try pool.writeWithoutTransaction { db in
            let insert = try db.makeStatement(sql: "INSERT INTO t (payload) VALUES (?)")
            var samples: [Duration] = []
            for index in 0..<count {
                let start = ContinuousClock.now
                try db.inTransaction(.immediate) {
                    try insert.execute(arguments: ["row \(index)"])
                    return .commit
                }
                let elapsed = ContinuousClock.now - start
                if index >= warmup { samples.append(elapsed) }
            }
            return samples
        }
    }
}
