import Foundation

/// One health check of `counterctl doctor`: what was found and, for a problem, the command that fixes it.
public struct DoctorCheck: Codable, Sendable, Equatable {
    /// How a check came out. Only `problem` makes `counterctl doctor` exit with status 1.
    public enum Outcome: String, Codable, Sendable, Comparable {
        case ok, skipped, warning, problem

        private var rank: Int { [.ok: 0, .skipped: 1, .warning: 2, .problem: 3][self]! }
        public static func < (lhs: Outcome, rhs: Outcome) -> Bool { lhs.rank < rhs.rank }
    }

    /// A stable id such as `printer_queue` (docs/install.md lists them).
    public var id: String
    public var outcome: Outcome
    /// What was found, in one line.
    public var summary: String
    /// The exact command (or step) that fixes a problem or warning.
    public var fix: String?

    public init(_ id: String, _ outcome: Outcome, _ summary: String, fix: String? = nil) {
        self.id = id
        self.outcome = outcome
        self.summary = summary
        self.fix = fix
    }
}

/// `GET /api/v1/diagnostics`: the checks only the daemon can make (its ledger, hub, printer, scanners).
public struct DiagnosticsResponse: Codable, Sendable, Equatable {
    public var checks: [DoctorCheck]

    public init(checks: [DoctorCheck]) { self.checks = checks }
}

/// What `counterctl doctor --json` prints: every check, the daemon's and counterctl's own.
public struct DoctorReport: Codable, Sendable, Equatable {
    public var checks: [DoctorCheck]
    public var problems: Int
    public var warnings: Int

    public init(checks: [DoctorCheck]) {
        self.checks = checks
        problems = checks.filter { $0.outcome == .problem }.count
        warnings = checks.filter { $0.outcome == .warning }.count
    }
}
