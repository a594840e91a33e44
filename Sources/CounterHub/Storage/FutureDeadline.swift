import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore

extension EventLoopFuture {
    /// Blocks the calling thread (never an event loop's) until the future completes or `seconds` pass; `nil` then.
    ///
    /// A plain `wait()` trusts the driver to complete every future. One that never completes (seen when PostgreSQL
    /// terminated a hub's connections under load) would hold a thread, a pooled connection and a client's request
    /// forever, and keep the hub from shutting down. With a deadline the caller gives up, closes the connection and
    /// answers `database_unavailable`.
    func wait(atMost seconds: TimeInterval) throws -> Value? where Value: Sendable {
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<Value, any Error>?>(nil)
        whenComplete { result in
            outcome.withLockedValue { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return try outcome.withLockedValue { $0 }?.get()
    }
}
