/// A wake-up call between tasks: `signal()` wakes one `wait(timeout:)`, or the next one if nobody waits.
/// Signals while nobody waits collapse into one.
/// It lives in CounterCore because the sync, the receipt queue and the USB monitor all wait this way.
public actor Wakeup {
    private var pending = false
    private var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    private var nextID = 0

    public init() {}

    /// Wakes the waiting task (or the next one).
    public func signal() {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume()
        } else {
            pending = true
        }
    }

    /// Returns on a signal, after `timeout`, or when the task is cancelled.
    public func wait(timeout: Duration) async {
        if pending {
            pending = false
            return
        }
        nextID += 1
        let id = nextID
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            await self?.fire(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume()
                } else {
                    waiter = (id, continuation)
                }
            }
        } onCancel: {
            Task { await self.fire(id) }
        }
        timer.cancel()
    }

    private func fire(_ id: Int) {
        guard let waiter, waiter.id == id else { return }
        self.waiter = nil
        waiter.continuation.resume()
    }
}
