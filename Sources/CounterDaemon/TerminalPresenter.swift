import CounterCore
import Foundation
import Synchronization

/// Prints each verdict to standard output in both languages, for the demo and for a technician
/// watching `counterd` in the foreground.
public struct TerminalPresenter: Sendable {
    let timeZone: TimeZone
    private static let lock = Mutex(())

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    /// Formats a verdict as two lines: the Chinese and English message, then ids.
    public func render(_ verdict: Verdict, source: String) -> String {
        let message = verdict.message(in: timeZone)
        let mark = verdict.isAccepted ? "✔ 通过 ACCEPTED" : "✘ 拒绝 REJECTED [\(verdict.reason.rawValue)]"
        var line = "\(mark)  \(message.zh)\n    \(message.en)"
        if let redemption = verdict.redemption {
            line += "\n    redemption \(redemption.id.lowercasedString) · seq \(redemption.deviceSequence) · via \(source)"
        }
        return line
    }

    public func present(_ verdict: Verdict, source: String) {
        let text = render(verdict, source: source) + "\n"
        Self.lock.withLock { _ in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
