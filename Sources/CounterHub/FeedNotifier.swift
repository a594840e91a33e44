import Foundation
import Logging
import NIOConcurrencyHelpers

/// Wakes the live feed's waiting requests (`GET /v1/feed?wait=…`) when the feed may have changed.
///
/// A change is any new feed position, made by this process, another hub process, or an admin command. This
/// process's uploads call ``changed()`` after they commit; other processes' changes reach it through
/// PostgreSQL's LISTEN/NOTIFY (``HubStore/listenForChanges(notifier:logger:)``) and, on both backends, through
/// a watch of the current position once a second (``HubStore/watchPosition(notifier:interval:)``), which also
/// covers SQLite and a lost listening connection.
///
/// Every change wakes every waiter; each rebuilds its page and goes back to waiting when nothing in it is for
/// its shop.
public final class FeedNotifier: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// How many changes this process has seen.
    public var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// The feed may have changed: wakes every waiter.
    public func changed() {
        let woken = state.withLockedValue { state in
            state.generation &+= 1
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once ``generation`` is past `seen`, or when `deadline` passes, or the task is cancelled.
    public func wait(after seen: UInt64, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.next(after: seen) }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }

    private func next(after seen: UInt64) async {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    guard state.generation == seen, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
