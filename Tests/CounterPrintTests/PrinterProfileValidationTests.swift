import CounterPrint
import Foundation
import Testing

/// A printer profile is a file anyone with write access to a profile directory can craft (issue 15): its numbers
/// must never make the encoder trap or allocate without bound.
@Suite struct PrinterProfileValidationTests {
    func load(_ change: (inout [String: Any]) -> Void) throws -> PrinterProfile {
        let data = try JSONEncoder().encode(PrinterProfile.generic58)
        var object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        change(&object)
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "profile-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try PrinterProfile.load(from: url)
    }

    @Test func theGenericProfilesAreValid() throws {
        try PrinterProfile.generic58.validate()
        try PrinterProfile.generic80.validate()
        #expect(try load { _ in } == PrinterProfile.generic58)
    }

    @Test(arguments: [("drawer_pins", [256] as any Sendable), ("drawer_pins", [-1] as any Sendable), ("characters_per_line", -1),
                      ("characters_per_line", 1_000_000_000_000), ("paper_width_dots", Int.max), ("paper_width_dots", 0)])
    func numbersOutOfRangeAreRefused(key: String, value: any Sendable) {
        #expect(throws: PrinterProfile.InvalidProfile.self) { try load { $0[key] = value } }
    }
}
