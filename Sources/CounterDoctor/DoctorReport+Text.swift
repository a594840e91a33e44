import CounterAPIModels
import Foundation

extension DoctorReport {
    /// Every check, counterctl's own first, then the daemon's (or the daemon's ids as skipped when it is down).
    public static func combine(local: [DoctorCheck], daemon: [DoctorCheck]?) -> DoctorReport {
        let daemonChecks = daemon ?? LocalChecks.daemonCheckIDs.map { DoctorCheck($0, .skipped, "counterd is not answering") }
        return DoctorReport(checks: local + daemonChecks)
    }

    /// One line per check, `FIX:` under each problem and warning, and a closing count.
    public var text: String {
        let width = (checks.map(\.id.count).max() ?? 0) + 2
        var lines: [String] = []
        for check in checks {
            let label = switch check.outcome {
            case .ok: "OK     "
            case .skipped: "SKIP   "
            case .warning: "WARN   "
            case .problem: "PROBLEM"
            }
            lines.append("\(label) \(check.id.padding(toLength: width, withPad: " ", startingAt: 0))\(check.summary)")
            if let fix = check.fix, check.outcome >= .warning {
                lines.append(String(repeating: " ", count: 8 + width) + "FIX: \(fix)")
            }
        }
        lines.append(problems == 0 && warnings == 0 ? "all checks passed"
                     : "\(problems) problem(s), \(warnings) warning(s)")
        return lines.joined(separator: "\n")
    }
}
