import CounterCore
import CounterLedger
import CounterSyncModels
import Foundation
import Logging
import ServiceLifecycle

/// Runs the download and the upload, each on its own loop so a stuck upload never delays revocations,
/// and never two runs of the same direction at once.
public actor Syncer {
    let downloader: FeedDownloader
    let uploader: EventUploader
    let pollInterval: Duration
    let logger: Logger
    let uploadWakeup = Wakeup()
    let downloadWakeup = Wakeup()
    private var downloadRun: Task<DownloadReport, any Error>?
    private var uploadRun: Task<UploadReport, any Error>?

    public init(downloader: FeedDownloader, uploader: EventUploader, pollInterval: Duration = .seconds(60), logger: Logger) {
        self.downloader = downloader
        self.uploader = uploader
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Asks the hub for its time now: whether it is reachable, and this clock's offset from it (server minus local).
    public nonisolated func probeHub() async throws(SyncError) -> (offset: TimeInterval, roundTrip: Duration) {
        let clock = ContinuousClock()
        let started = clock.now
        let sentAt = Date()
        let answer = try await downloader.client.time()
        let roundTrip = clock.now - started
        // The hub's time is taken as of the middle of the round trip.
        let seconds = Double(roundTrip.components.seconds) + Double(roundTrip.components.attoseconds) / 1e18
        let midpoint = sentAt.addingTimeInterval(seconds / 2)
        return (answer.serverTime.timeIntervalSince(midpoint), roundTrip)
    }

    /// Tells the upload loop that the outbox has something new (called after each commit).
    public nonisolated func outboxChanged() {
        Task { await uploadWakeup.signal() }
    }

    /// One download, joining a run already under way.
    public func download(progress: @escaping @Sendable (DownloadReport) -> Void = { _ in }) async throws -> DownloadReport {
        if let running = downloadRun { return try await running.value }
        let run = Task { [downloader] in try await downloader.run(progress: progress) }
        downloadRun = run
        defer { downloadRun = nil }
        return try await run.value
    }

    /// One upload of everything pending, joining a run already under way.
    public func upload() async throws -> UploadReport {
        if let running = uploadRun { return try await running.value }
        let run = Task { [uploader] in try await uploader.run() }
        uploadRun = run
        defer { uploadRun = nil }
        return try await run.value
    }

    /// `counterctl sync`: one download and one upload now, whatever the loops are doing.
    public func syncNow(progress: @escaping @Sendable (DownloadReport) -> Void = { _ in }) async -> SyncNowReport {
        var report = SyncNowReport()
        async let download: Result<DownloadReport, any Error> = {
            do { return .success(try await self.download(progress: progress)) } catch { return .failure(error) }
        }()
        async let upload: Result<UploadReport, any Error> = {
            do { return .success(try await self.upload()) } catch { return .failure(error) }
        }()
        switch await download {
        case .success(let value): report.download = value
        case .failure(let error): report.downloadError = "\(error)"
        }
        switch await upload {
        case .success(let value): report.upload = value
        case .failure(let error): report.uploadError = "\(error)"
        }
        return report
    }

    /// The two loops as services for the daemon's service group.
    public nonisolated var services: [any Service] {
        [Loop(name: "download", syncer: self, direction: .download), Loop(name: "upload", syncer: self, direction: .upload)]
    }

    enum Direction: Sendable { case download, upload }

    /// One direction's loop: run, then wait for the poll interval, a wake-up, or the backoff delay.
    struct Loop: Service {
        let name: String
        let syncer: Syncer
        let direction: Direction

        /// The longest the live feed holds a request here: well inside any proxy's idle timeout.
        static let liveFeedWait = 25
        /// At least this long between two downloads on the live feed, so a burst of changes costs one download.
        static let liveFeedCoalescing: Duration = .seconds(1)

        /// After a download: with a hub that offers the live feed, waits on the hub for the next change (and then
        /// downloads at once, at most once a ``liveFeedCoalescing``); without one, the poll interval.
        func liveFeedWait() async throws -> Duration {
            guard let offered = syncer.downloader.liveFeedOffer.seconds else { return syncer.pollInterval }
            let started = ContinuousClock.now
            try await cancelWhenGracefulShutdown {
                try await syncer.downloader.waitForChange(seconds: min(offered, Self.liveFeedWait))
            }
            return max(.zero, Self.liveFeedCoalescing - (ContinuousClock.now - started))
        }

        func run() async throws {
            var backoff = Backoff()
            while !Task.isCancelledOrShuttingDown {
                let wait: Duration
                // A hub that said Retry-After is left alone that long, whatever wakes the loop.
                var holdUntil: ContinuousClock.Instant?
                do {
                    switch direction {
                    case .download:
                        _ = try await syncer.download()
                        wait = try await liveFeedWait()
                    case .upload:
                        _ = try await syncer.upload()
                        wait = syncer.pollInterval
                    }
                    backoff.reset()
                } catch let error as SyncError {
                    switch error {
                    case .retryable(_, let retryAfter):
                        wait = .seconds(backoff.nextDelay(retryAfter: retryAfter))
                        if let retryAfter, retryAfter.isFinite, retryAfter > 0 {
                            holdUntil = .now + .seconds(min(retryAfter, 3600))
                        }
                    case .unauthorized, .deviceRevoked, .notEnrolled, .refused:
                        wait = max(syncer.pollInterval, .seconds(600))
                    case .unreachable, .invalidResponse:
                        wait = .seconds(backoff.nextDelay())
                    }
                } catch {
                    wait = .seconds(backoff.nextDelay())
                }
                await withGracefulShutdownHandler {
                    await (direction == .upload ? syncer.uploadWakeup : syncer.downloadWakeup).wait(timeout: wait)
                } onGracefulShutdown: {
                    Task { await (direction == .upload ? syncer.uploadWakeup : syncer.downloadWakeup).signal() }
                }
                if let holdUntil, holdUntil > .now {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(until: holdUntil) }
                }
            }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Whether the current task is cancelled or the service group is shutting down.
    public static var isCancelledOrShuttingDown: Bool { isCancelled || isShuttingDownGracefully }
}
