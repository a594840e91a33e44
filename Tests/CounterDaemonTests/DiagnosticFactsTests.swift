@testable import CounterDaemon
import CounterDoctor
import CounterTestSupport
import Foundation
import Testing

/// The facts the daemon gathers for `counterctl doctor` from the machine (the rules DiagnosticRulesTests judges them by).
@Suite struct DiagnosticFactsTests {
    @Test func udevRulesAreComparedWithTheProfiles() throws {
        let temporary = try TemporaryDirectory("udev")
        defer { temporary.remove() }
        let rules = temporary.path
        // Only the source tree's profiles: an installed package's may differ from the committed rules.
        let profiles = [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../drivers/scanners").path]
        #expect(DiagnosticsController.udevRulesState(profileDirectories: profiles, rulesDirectories: [rules]) == .missing(searched: [rules]))
        let file = rules + "/70-counterd-scanners.rules"
        try "# old rules\n".write(toFile: file, atomically: true, encoding: .utf8)
        guard case .outdated = DiagnosticsController.udevRulesState(profileDirectories: profiles, rulesDirectories: [rules]) else {
            Issue.record("old rules not noticed")
            return
        }
        // The committed rules file is generated from drivers/scanners (a test keeps them equal).
        let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../udev/70-counterd-scanners.rules")
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: committed.path, toPath: file)
        #expect(DiagnosticsController.udevRulesState(profileDirectories: profiles, rulesDirectories: [rules]) == .current(path: file))
    }
}
