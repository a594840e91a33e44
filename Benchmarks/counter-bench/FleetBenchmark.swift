import ArgumentParser
import AsyncHTTPClient
import CounterCore
import CounterHub
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// `counter-bench fleet`: thousands of simulated counters against real counter-hub processes on PostgreSQL and
/// SQLite (issue 16, item 8). Each counter enrolls, holds a live-feed request and uploads redemptions; one
/// revocation is timed until every counter has it; an audit at the end checks every event was counted once.
struct FleetBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Simulated counters against counter-hub: steady load, a burst, revocation fan-out, failover, audit.")

    @Option(help: "Simulated counters (one per service point).") var counters = 10_000
    @Option(help: "Seconds of steady load.") var steadySeconds = 300
    @Option(help: "Mean seconds between one counter's redemptions in the steady load.") var interval = 30.0
    @Option(help: "Seconds of the burst after the steady load.") var burstSeconds = 60
    @Option(help: "The burst's rate as a multiple of the steady rate.") var burstFactor = 10.0
    @Option(help: "A PostgreSQL server URL (postgres://USER@HOST:PORT/DB); each run makes its own database there.")
    var postgres: String?
    @Option(help: "Backends to run, comma-separated, in order: postgres, sqlite.") var backends = "postgres,sqlite"
    @Flag(help: "Also run the steady load against two hub processes on the first backend, killing one mid-run.")
    var failover = false
    @Option(help: "Directory for SQLite hubs.") var directory = "."
    @Option(help: "Counters enrolling at once.") var enrollConcurrency = 32

    func run() async throws {
        let kinds = backends.split(separator: ",").map { String($0) }
        guard !kinds.isEmpty, kinds.allSatisfy({ $0 == "postgres" || $0 == "sqlite" }) else {
            throw ValidationError("--backends takes postgres and sqlite")
        }
        if kinds.contains("postgres"), postgres == nil { throw ValidationError("postgres needs --postgres URL") }
        guard (1...1_000_000).contains(counters), steadySeconds >= 1, burstSeconds >= 0, interval > 0, burstFactor >= 1 else {
            throw ValidationError("counters must be 1 to 1,000,000; seconds, interval and burst factor positive")
        }
        // Each counter holds its live-feed connection; uploads share a pool of 512.
        let needed = counters + 2 * 256 + 512 + 64
        let files = ProcessFacts.raiseOpenFilesLimit(to: rlim_t(counters * 3 + 1024))
        guard files >= rlim_t(needed) else {
            throw BenchError("the open-files limit is \(files); \(counters) counters need \(needed) (raise the hard limit: ulimit -Hn)")
        }
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: counters + 256)
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: 512)
        let uploadHTTP = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)

        var results: [FleetResult] = []
        do {
            for kind in kinds {
                results.append(try await runOnce(kind, hubProcesses: 1, http: http, uploadHTTP: uploadHTTP))
            }
            if failover, let kind = kinds.first {
                results.append(try await runOnce(kind, hubProcesses: 2, http: http, uploadHTTP: uploadHTTP))
            }
        } catch {
            try? await http.shutdown()
            try? await uploadHTTP.shutdown()
            throw error
        }
        try await http.shutdown()
        try await uploadHTTP.shutdown()
        print(FleetResult.report(results, counters: counters, interval: interval, steady: steadySeconds, burst: burstSeconds,
                                 burstFactor: burstFactor))
        let failed = results.filter { !$0.audit.isClean || !$0.stoppedCleanly }
        if !failed.isEmpty {
            throw BenchError("failed: " + failed.map {
                "\($0.name): \(($0.audit.problems + ($0.stoppedCleanly ? [] : ["a hub did not exit on SIGTERM"])).joined(separator: "; "))"
            }.joined(separator: " | "))
        }
    }

    /// The store arguments of a new, empty hub of this backend (a new database, or a new directory).
    func newStore(_ kind: String) throws -> (location: String, arguments: [String], size: () -> Double) {
        if kind == "postgres", let postgres {
            let name = "fleet_\(UUID().uuidString.prefix(8).lowercased())"
            try runCommand("/usr/bin/psql", ["-q", postgres, "-c", "CREATE DATABASE \(name)"])
            guard var components = URLComponents(string: postgres) else { throw ValidationError("--postgres is not a URL") }
            components.path = "/" + name
            let url = components.string!
            return (url, ["--database", url], {
                Double((try? runCommand("/usr/bin/psql", ["-At", url, "-c", "SELECT pg_database_size(current_database())"]))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            })
        }
        let path = (directory as NSString).appendingPathComponent("counter-bench-fleet-\(UUID().uuidString.prefix(8))")
        return (path, ["--data", path], {
            ["hub.sqlite", "hub.sqlite-wal"].reduce(0) { total, file in
                total + ((try? FileManager.default.attributesOfItem(atPath: path + "/" + file)[.size] as? Double) ?? 0)
            }
        })
    }

    func runOnce(_ kind: String, hubProcesses: Int, http: HTTPClient, uploadHTTP: HTTPClient) async throws -> FleetResult {
        let name = hubProcesses > 1 ? "\(kind), \(hubProcesses) hub processes, one killed" : kind
        log("[\(name)] seeding \(counters) shops …")
        let (location, arguments, size) = try newStore(kind)
        defer { if kind == "sqlite" { try? FileManager.default.removeItem(atPath: location) } }
        let store = try HubStore(location: location)
        let shops = (0..<counters).map { String(format: "FLEET-%05d", $0) }
        var codes: [String] = []
        for chunk in stride(from: 0, to: counters, by: 1000) {
            codes += try store.seedShops(Array(shops[chunk..<min(counters, chunk + 1000)]))
        }
        // Each counter redeems one multi-use code of its own shop, so the hub counts every use; the fan-out code is
        // valid at every shop and, its campaign sending only exceptions, reaches the counters only when revoked.
        try store.createCampaign(CampaignSpec(id: "FLEET", title: "Fleet", product: "P", faceValueFen: 100, shopRewardFen: 20,
                                              uses: 65_535, shopIDs: [], validDays: nil, activeFrom: nil, activeUntil: nil,
                                              offlinePolicy: .allowSigned))
        let tokenCodes = shops.map { "CODE-" + $0 }
        try store.seedTokens(campaign: "FLEET", codes: tokenCodes, uses: 65_535) { [shops] in [shops[$0]] }
        try store.createCampaign(CampaignSpec(id: "FANOUT", title: "Fan-out", product: "P", faceValueFen: 100, shopRewardFen: 20,
                                              uses: 1, shopIDs: [], validDays: nil, activeFrom: nil, activeUntil: nil,
                                              offlinePolicy: .allowSigned, tokenFeed: .exceptions))
        try store.seedTokens(campaign: "FANOUT", codes: ["FANOUT-CODE"])
        let tokenID = { (code: String) in Hex.encode(try CanonicalCode(code).hash.bytes.prefix(16)) }
        let fanOutToken = try tokenID("FANOUT-CODE")

        let basePort = 20_000 + Int.random(in: 0..<20_000)
        let hubs = (0..<hubProcesses).map { FleetHubProcess(storeArguments: arguments, port: basePort + $0) }
        for hub in hubs { try await hub.start() }
        defer { for hub in hubs { hub.stop() } }
        let recorder = FleetRecorder()
        let simulated = try (0..<counters).map { index in
            SimulatedCounter(index: index, shopID: shops[index], tokenID: try tokenID(tokenCodes[index]), fanOutTokenID: fanOutToken,
                             hubs: hubs.map(\.url), http: http, uploadHTTP: uploadHTTP, recorder: recorder)
        }

        log("[\(name)] \(counters) counters enroll and sync …")
        let enrollStart = ContinuousClock.now
        let enrolled = try await enrollAll(simulated, codes: codes)
        let enrollTime = seconds(ContinuousClock.now - enrollStart)
        let rssIdle = hubs[0].pid > 0 ? ProcessFacts.rssMiB(hubs[0].pid) : 0

        return try await withThrowingTaskGroup(of: Void.self) { group in
            for (counter, device) in zip(simulated, enrolled) {
                group.addTask { await counter.followFeed(token: device.token, cursor: device.cursor) }
            }
            // Memory per held live-feed request: the hub's growth once every counter holds one.
            for _ in 0..<60 where recorder.state.withLock({ $0.waiting }) < counters {
                try await Task.sleep(for: .milliseconds(500))
            }
            try await Task.sleep(for: .seconds(3))
            let rssHeld = ProcessFacts.rssMiB(hubs[0].pid)
            let sizeBefore = size()

            let schedule = FleetSchedule(start: .now + .seconds(1), steady: .seconds(steadySeconds),
                                         burst: hubProcesses > 1 ? .zero : .seconds(burstSeconds), burstFactor: burstFactor,
                                         meanInterval: interval)
            log("[\(name)] steady load for \(steadySeconds) s\(hubProcesses > 1 ? " (one hub killed at a third)" : ", then a \(burstSeconds) s burst") …")
            let cpuStart = (hub: hubs.reduce(0) { $0 + ProcessFacts.cpuSeconds($1.pid) }, postgres: ProcessFacts.cpuSeconds(command: "postgres"))
            let wallStart = ContinuousClock.now
            let uploads = Task {
                await withTaskGroup(of: Void.self) { uploads in
                    for (counter, device) in zip(simulated, enrolled) {
                        uploads.addTask { await counter.redeem(device: device.device, token: device.token, schedule: schedule) }
                    }
                }
            }
            var peakRSS = rssHeld
            var killed = false
            var revoked = false
            var cpuSteady: (hub: Double, postgres: Double, wall: Double)?
            while ContinuousClock.now < schedule.end {
                try await Task.sleep(for: .milliseconds(500))
                peakRSS = max(peakRSS, ProcessFacts.rssMiB(hubs[0].pid))
                let elapsed = ContinuousClock.now - schedule.start
                if hubProcesses > 1, !killed, elapsed > .seconds(steadySeconds) / 3 {
                    killed = true
                    log("[\(name)] killing hub process 2 (SIGKILL); it restarts in 5 s")
                    hubs[1].kill()
                    try await Task.sleep(for: .seconds(5))
                    try await hubs[1].start()
                }
                if !revoked, elapsed > .seconds(steadySeconds) / 2 {
                    revoked = true
                    recorder.record { $0.revokedAt = .now }
                    try store.revokeToken(fanOutToken, reason: "fan-out")
                }
                if cpuSteady == nil, elapsed >= .seconds(steadySeconds) {
                    cpuSteady = (hubs.reduce(0) { $0 + ProcessFacts.cpuSeconds($1.pid) } - cpuStart.hub,
                                 ProcessFacts.cpuSeconds(command: "postgres") - cpuStart.postgres,
                                 seconds(ContinuousClock.now - wallStart))
                }
            }
            await uploads.value
            let steadyCPU = cpuSteady ?? (hubs.reduce(0) { $0 + ProcessFacts.cpuSeconds($1.pid) } - cpuStart.hub,
                                          ProcessFacts.cpuSeconds(command: "postgres") - cpuStart.postgres,
                                          seconds(ContinuousClock.now - wallStart))
            // Stragglers: give the last revocation downloads a moment, then stop following the feed.
            for _ in 0..<20 where recorder.state.withLock({ $0.fanOut.count }) < counters {
                try await Task.sleep(for: .milliseconds(500))
            }
            recorder.stopped.store(true, ordering: .relaxed)
            group.cancelAll()
            let sizeAfter = size()

            log("[\(name)] audit …")
            let audit = try FleetAudit.check(store: store, recorder: recorder)
            let state = recorder.state.withLock { $0 }
            let stoppedCleanly = hubs.map { $0.stop() }.allSatisfy { $0 }
            if kind == "postgres" { try? dropDatabase(location) }
            return FleetResult(name: name, counters: counters, enrollSeconds: enrollTime, rssIdleMiB: rssIdle, rssHeldMiB: rssHeld,
                               peakRSSMiB: peakRSS, hubCPU: steadyCPU.hub / steadyCPU.wall, postgresCPU: steadyCPU.postgres / steadyCPU.wall,
                               isPostgres: kind == "postgres", ingest: LatencySummary(state.ingest), feed: LatencySummary(state.feed),
                               fanOut: LatencySummary(state.fanOut), failedRequests: state.failedRequests,
                               bytesPerMillionEvents: audit.exported > 0 ? (sizeAfter - sizeBefore) / Double(audit.exported) * 1e6 : 0,
                               audit: audit, stoppedCleanly: stoppedCleanly)
        }
    }

    /// Enrolls every counter, `enrollConcurrency` at a time, each followed by its initial sync.
    func enrollAll(_ counters: [SimulatedCounter], codes: [String]) async throws -> [(device: String, token: String, cursor: String)] {
        var enrolled = [(device: String, token: String, cursor: String)?](repeating: nil, count: counters.count)
        try await withThrowingTaskGroup(of: (Int, (device: String, token: String, cursor: String)).self) { group in
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask { (index, try await counters[index].enroll(code: codes[index])) }
            }
            while next < min(enrollConcurrency, counters.count) { add() }
            var done = 0
            while let (index, result) = try await group.next() {
                enrolled[index] = result
                done += 1
                if done % 1000 == 0 { log("  \(done) enrolled") }
                if next < counters.count { add() }
            }
        }
        return enrolled.map { $0! }
    }

    func dropDatabase(_ url: String) throws {
        guard let postgres, var components = URLComponents(string: url) else { return }
        let name = String(components.path.dropFirst())
        components = URLComponents(string: postgres) ?? components
        try runCommand("/usr/bin/psql", ["-q", components.string!, "-c", "DROP DATABASE \(name) WITH (FORCE)"])
    }
}
