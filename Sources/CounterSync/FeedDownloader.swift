import CounterCore
import CounterLedger
import CounterSyncModels
import Foundation
import Logging
import Synchronization

/// Fetches feed pages until `up_to_date`, applying each page and its cursor in one transaction.
public struct FeedDownloader: Sendable {
    let ledger: Ledger
    let client: HubClient
    let rootPublicKey: [UInt8]
    let pageLimit: Int
    let logger: Logger
    /// The longest wait the hub offered for its live feed on the last page, if any.
    public let liveFeedOffer = LiveFeedOffer()

    public init(ledger: Ledger, client: HubClient, rootPublicKey: [UInt8], pageLimit: Int = 1000, logger: Logger) {
        self.ledger = ledger
        self.client = client
        self.rootPublicKey = rootPublicKey
        self.pageLimit = pageLimit
        self.logger = logger
    }

    /// Downloads until up to date. A rejected page stops the run with nothing of it applied; the error
    /// is recorded for `counterctl status`.
    public func run(progress: @Sendable (DownloadReport) -> Void = { _ in }) async throws(SyncError) -> DownloadReport {
        var report = DownloadReport()
        do {
            var cursor = try await ledger.syncState().cursor
            // The next page is fetched while this one is applied: the hub encodes and the network carries page N+1
            // while the ledger writes page N. A page that fails to apply discards the one fetched after it.
            var prefetched: Task<FeedPage, any Error>?
            defer { prefetched?.cancel() }
            while true {
                let page: FeedPage
                if let prefetched {
                    page = try await prefetched.value
                } else {
                    page = try await client.feed(cursor: cursor, limit: pageLimit)
                }
                let update = try page.validated(rootPublicKey: rootPublicKey)
                liveFeedOffer.record(page.liveFeedMaxWaitSeconds)
                prefetched = update.upToDate ? nil : Task { [client, pageLimit, next = page.nextCursor] in
                    try await client.feed(cursor: next, limit: pageLimit)
                }
                do {
                    try await ledger.apply(update)
                } catch let rejected as FeedPageRejected {
                    throw SyncError.invalidResponse("feed page: \(rejected.description)")
                }
                report.pages += 1
                report.tokens += update.tokens.count
                report.tombstones += update.tombstones.count
                report.revocations += update.revocations.count
                report.campaigns += update.campaigns.count
                report.resync = report.resync || update.reset
                report.position = update.position
                report.upToDate = update.upToDate
                progress(report)
                if update.upToDate { break }
                cursor = page.nextCursor
            }
            // Live-feed counters download after every change: a run that brought nothing is not worth a line.
            let changed = report.tokens + report.tombstones + report.revocations + report.campaigns > 0 || report.resync
            logger.log(level: changed || liveFeedOffer.seconds == nil ? .info : .debug, "sync download",
                       metadata: ["outcome": "ok", "pages": "\(report.pages)", "tokens": "\(report.tokens)",
                                  "revocations": "\(report.revocations)", "position": "\(report.position)"])
            return report
        } catch let error as SyncError {
            await record(error)
            throw error
        } catch {
            let wrapped = SyncError.invalidResponse("ledger: \(error)")
            await record(wrapped)
            throw wrapped
        }
    }

    /// The live feed: returns when the hub says something changed after this counter's cursor, or after `seconds`.
    /// It applies nothing; the download that follows does, as usual.
    public func waitForChange(seconds: Int) async throws(SyncError) {
        let cursor: String?
        do {
            cursor = try await ledger.syncState().cursor
        } catch {
            throw .invalidResponse("ledger: \(error)")
        }
        let page = try await client.feed(cursor: cursor, limit: 1, wait: seconds)
        liveFeedOffer.record(page.liveFeedMaxWaitSeconds)
    }

    private func record(_ error: SyncError) async {
        logger.warning("sync download", metadata: ["outcome": "failed", "error": "\(error)"])
        try? await ledger.recordSyncError(error.description)
    }
}

/// What a hub said of its live feed: the longest `wait` it honours (1 second to 1 hour; anything else, or nothing,
/// means it has none and the counter polls).
public final class LiveFeedOffer: Sendable {
    private let offered = Mutex<Int?>(nil)

    public init() {}

    public var seconds: Int? { offered.withLock { $0 } }

    func record(_ seconds: Int?) {
        offered.withLock { $0 = seconds.flatMap { (1...3600).contains($0) ? $0 : nil } }
    }
}
