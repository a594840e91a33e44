import Foundation
import Logging
import NIOConcurrencyHelpers

/// Wakes the live feed's waiting requests (`GET /v1/feed?wait=…`) when their shop's feed may have changed.
///
/// A change is any new feed position, made by this process, another hub process, or an admin command. This
/// process's uploads call ``changed(_:)`` after they commit, with the shops they touched; other processes'
/// changes reach it through PostgreSQL's LISTEN/NOTIFY (``HubStore/listenForChanges(notifier:logger:)``), and
/// on SQLite through a watch of the current position (``HubStore/watchPosition(notifier:interval:logger:)``).
///
/// A change wakes only the waiters of the shops it touches (all of them for an any-shop change); each rebuilds
/// its page and goes back to waiting when nothing in it is new.
public final class FeedNotifier: Sendable {
    private struct Waiter {
        let shop: String
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var everyShop: UInt64 = 0
        var perShop: [String: UInt64] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiter: UInt64 = 0

        func generation(_ shop: String) -> UInt64 { everyShop &+ (perShop[shop] ?? 0) }
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// How many changes of `shop`'s feed this process has seen.
    public func generation(for shop: String) -> UInt64 {
        state.withLockedValue { $0.generation(shop) }
    }

    /// The feed of the shops in `scope` may have changed: wakes their waiters.
    public func changed(_ scope: FeedChangeScope = .everyShop) {
        let woken = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            switch scope {
            case .everyShop:
                state.everyShop &+= 1
                defer { state.waiters = [:] }
                return state.waiters.values.map(\.continuation)
            case .shops(let shops):
                for shop in shops { state.perShop[shop, default: 0] &+= 1 }
                let ids = state.waiters.filter { shops.contains($0.value.shop) }.map(\.key)
                return ids.compactMap { state.waiters.removeValue(forKey: $0)?.continuation }
            }
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns once `shop`'s generation is past `seen`, or when `deadline` passes, or the task is cancelled.
    public func wait(shop: String, after seen: UInt64, until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.next(shop: shop, after: seen) }
            group.addTask { try? await Task.sleep(until: deadline) }
            await group.next()
            group.cancelAll()
        }
    }

    private func next(shop: String, after seen: UInt64) async {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    guard state.generation(shop) == seen, !Task.isCancelled else { return true }
                    state.waiters[id] = Waiter(shop: shop, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }
}
