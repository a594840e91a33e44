import Synchronization

/// Hands each published value to every current subscriber (device events, verdicts for the live page).
/// Publishing never waits: a subscriber that falls behind by more than `buffer` values loses the oldest.
public final class Broadcaster<Element: Sendable>: Sendable {
    private let subscribers = Mutex<(next: Int, all: [Int: AsyncStream<Element>.Continuation], finished: Bool)>((0, [:], false))
    private let buffer: Int

    public init(buffer: Int = 100) { self.buffer = buffer }

    /// Values published from now on, until the consumer stops iterating.
    public func subscribe() -> AsyncStream<Element> {
        let (stream, continuation) = AsyncStream.makeStream(of: Element.self, bufferingPolicy: .bufferingNewest(buffer))
        let id = subscribers.withLock { state -> Int? in
            guard !state.finished else { return nil }
            defer { state.next += 1 }
            state.all[state.next] = continuation
            return state.next
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.all.removeValue(forKey: id) }
        }
        return stream
    }

    public func publish(_ value: Element) {
        for continuation in subscribers.withLock({ Array($0.all.values) }) { continuation.yield(value) }
    }

    /// Ends every subscriber's stream, now and from now on (at shutdown, so open event streams close).
    public func finish() {
        let all = subscribers.withLock { state in
            defer { state.all.removeAll(); state.finished = true }
            return Array(state.all.values)
        }
        for continuation in all { continuation.finish() }
    }

    /// How many consumers listen now.
    public var subscriberCount: Int { subscribers.withLock { $0.all.count } }
}
