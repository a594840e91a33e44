import Foundation
import Logging
import PostgresNIO

extension HubStore {
    /// The longest `wait` `GET /v1/feed` honours, in seconds.
    public static let liveFeedMaxWait = 60

    /// The PostgreSQL channel every change of a feed position is announced on (once per transaction, at commit).
    static let feedChannel = "counter_hub_feed"

    /// Wakes `notifier` whenever the current feed position moves, whoever moved it: checks it every `interval`
    /// until the task is cancelled. One cheap read per interval per process.
    public func watchPosition(notifier: FeedNotifier, interval: Duration = .seconds(1), logger: Logger) async {
        var last: Int64?
        while !Task.isCancelled {
            do {
                let position = try await blocking { store in try store.database.read { try Self.currentPosition($0) } }
                if let last, position != last { notifier.changed() }
                last = position
            } catch {
                logger.warning("feed watch", metadata: ["outcome": "failed", "error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// On PostgreSQL, wakes `notifier` as soon as any hub process commits a feed change (LISTEN/NOTIFY), until the
    /// task is cancelled; reconnects after a lost connection. Returns at once on SQLite.
    public func listenForChanges(notifier: FeedNotifier, logger: Logger) async {
        guard let postgres = database as? PostgresHubDatabase else { return }
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            do {
                let connection = try await PostgresConnection.connect(configuration: postgres.configuration, id: connectionID,
                                                                      logger: logger)
                do {
                    try await connection.listen(on: Self.feedChannel) { notifications in
                        // Changes committed while the connection was down are caught by the first wake-up.
                        notifier.changed()
                        for try await _ in notifications { notifier.changed() }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("feed listen", metadata: ["outcome": "reconnecting", "error": "\(PostgresHubDatabase.describe(error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
