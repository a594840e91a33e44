import ArgumentParser
import CounterHub
import Foundation
import Hummingbird
import Logging

extension CounterHubCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the /v1 API over plain HTTP.")
        @OptionGroup var options: DataOptions
        @Option(help: "HOST:PORT to listen on.") var listen = "127.0.0.1:8780"
        @Option(help: "Fault injection: share of requests answered 500 or 429 (0-1).") var failRate = 0.0
        @Option(help: "Fault injection: delay before every answer, in milliseconds.") var delayMs = 0
        @Option(help: "Fault injection: share of answers dropped after the work is done (0-1).") var dropRate = 0.0
        @Option(help: "Fault injection: share of answers cut in half after the work is done (0-1).") var truncateRate = 0.0
        @Option(help: "Seed of the fault injection's random numbers.") var seed: UInt64 = 1
        @Option(help: "Enrollment attempts per minute (and at once) from one client address.")
        var enrollRate = EnrollmentRateLimit.standard.perAddressBurst
        @Option(help: "Enrollment attempts per minute (and at once) from all clients together.")
        var enrollGlobalRate = Int(EnrollmentRateLimit.standard.globalPerMinute)

        func validate() throws {
            for (name, rate) in [("fail-rate", failRate), ("drop-rate", dropRate), ("truncate-rate", truncateRate)]
            where !(0...1).contains(rate) {
                throw ValidationError("--\(name) must be from 0 to 1")
            }
            for (name, rate) in [("enroll-rate", enrollRate), ("enroll-global-rate", enrollGlobalRate)]
            where !(1...1_000_000).contains(rate) {
                throw ValidationError("--\(name) must be from 1 to 1000000")
            }
        }

        func run() async throws {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
                throw ValidationError("--listen must be HOST:PORT")
            }
            let host = String(listen[..<colon])
            let store = try admin { try options.store() }
            let faulty = failRate > 0 || delayMs > 0 || dropRate > 0 || truncateRate > 0
            let faults = faulty ? FaultInjection(failureRate: failRate, delay: .milliseconds(delayMs), dropRate: dropRate,
                                                 truncateRate: truncateRate, seed: seed) : nil
            var logger = Logger(label: "counter-hub")
            logger.logLevel = .notice
            let limit = EnrollmentRateLimit(perAddressBurst: enrollRate, perAddressPerMinute: Double(enrollRate),
                                            globalBurst: enrollGlobalRate,
                                            globalPerMinute: Double(enrollGlobalRate))
            // The live feed hears of changes from this process's uploads, from other processes (PostgreSQL's
            // LISTEN/NOTIFY) and from a watch of the position (admin commands, SQLite, a lost connection).
            let notifier = FeedNotifier()
            let watch = Task { await store.watchPosition(notifier: notifier, logger: logger) }
            let listen = Task { await store.listenForChanges(notifier: notifier, logger: logger) }
            defer {
                watch.cancel()
                listen.cancel()
            }
            let app = Application(router: buildHubRouter(store: store, notifier: notifier, faults: faults, enrollmentLimit: limit),
                                  configuration: .init(address: .hostname(host, port: port), serverName: "counter-hub"),
                                  onServerRunning: { channel in
                                      print("counter-hub listening on http://\(listen) (data in \(options.describedLocation))")
                                  },
                                  logger: logger)
            try await app.runService()
        }
    }
}
