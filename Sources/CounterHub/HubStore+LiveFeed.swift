import Foundation
import Logging
import PostgresNIO

extension HubStore {
    /// The longest `wait` `GET /v1/feed` honours, in seconds.
    public static let liveFeedMaxWait = 60

    /// The PostgreSQL channel every change of a feed position is announced on (once per transaction, at commit).
    static let feedChannel = "counter_hub_feed"

    /// On SQLite, wakes every held request of `notifier` whenever the current feed position moves, whoever moved
    /// it (an admin command is another process): checks it every `interval` until the task is cancelled, one cheap
    /// read each. SQLite serves small installs, where waking everyone costs little. Returns at once on PostgreSQL,
    /// whose changes arrive by LISTEN/NOTIFY with the shops they touch.
    ///
    /// - Parameter since: the position the watch starts from; `nil`: the one it reads first.
    public func watchPosition(notifier: FeedNotifier, interval: Duration = .seconds(1), since: Int64? = nil,
                              logger: Logger) async {
        guard database.dialect == .sqlite else { return }
        var last = since
        while !Task.isCancelled {
            do {
                let position = try await blocking { try $0.currentFeedPosition() }
                if let last, position != last { notifier.changed() }
                last = position
            } catch {
                logger.warning("feed watch", metadata: ["outcome": "failed", "error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The current feed position.
    public func currentFeedPosition() throws -> Int64 {
        try database.read { try Self.currentPosition($0) }
    }

    /// On PostgreSQL, wakes `notifier` as soon as any hub process commits a feed change (LISTEN/NOTIFY), until the
    /// task is cancelled; reconnects after a lost connection, and wakes everyone each time it is listening again
    /// (changes made meanwhile were not heard). Returns at once on SQLite.
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
                        // Changes committed while the connection was down are caught by waking everyone once.
                        notifier.changed(.everyShop)
                        for try await notification in notifications { notifier.changed(FeedChangeScope(payload: notification.payload)) }
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
