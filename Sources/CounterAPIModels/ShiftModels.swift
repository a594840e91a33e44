import CounterCore
import Foundation

/// `GET /api/v1/shift`: the open shift's X report and the last closed one's Z report, with its 对账.
public struct ShiftStatusResponse: Codable, Sendable, Equatable {
    public var current: ShiftReport?
    public var lastClosed: ShiftReport?

    public init(current: ShiftReport?, lastClosed: ShiftReport?) {
        self.current = current
        self.lastClosed = lastClosed
    }
}

/// `POST /api/v1/shift/close` and `POST /api/v1/shift/print`: the report, and what became of its 交班单.
public struct ShiftSlipResponse: Codable, Sendable, Equatable {
    public var report: ShiftReport
    /// The print job, when the slip was sent to the printer.
    public var printed: PrintJobResponse?
    /// Why it was not printed (printing off, the printer unreachable); the report stays in the ledger.
    public var printProblem: String?

    public init(report: ShiftReport, printed: PrintJobResponse?, printProblem: String?) {
        self.report = report
        self.printed = printed
        self.printProblem = printProblem
    }
}

/// `POST /api/v1/shift/close` and `POST /api/v1/shift/print` bodies.
public struct ShiftSlipRequest: Codable, Sendable, Equatable {
    /// Print the 交班单 (default: when printing is on).
    public var print: Bool?

    public init(print: Bool? = nil) {
        self.print = print
    }
}

/// `POST /api/v1/training` body and answer: the counter's training mode (练习模式).
public struct TrainingMode: Codable, Sendable, Equatable {
    public var training: Bool

    public init(training: Bool) {
        self.training = training
    }
}
