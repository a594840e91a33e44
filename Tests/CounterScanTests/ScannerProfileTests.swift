import CounterScan
import Foundation
import Testing

@Suite struct ScannerProfileTests {
    static let shipped = ScannerProfiles.load(from: [Fixture.repositoryPath("drivers/scanners")])

    @Test func everyShippedProfileLoadsAndEveryFamilyHasItsReadme() throws {
        #expect(Self.shipped.problems.isEmpty, "\(Self.shipped.problems)")
        #expect(Self.shipped.profiles.count >= 10)
        let families = Set(Self.shipped.profiles.map(\.family))
        #expect(families.isSuperset(of: ["generic", "honeywell", "zebra", "newland", "netum"]))
        for family in families {
            let readme = try String(contentsOfFile: Fixture.repositoryPath("drivers/scanners/\(family)/README.md"), encoding: .utf8)
            for section in ["## Supported devices", "## Protocol", "## Kernel driver interaction", "## Access needed", "## Testing"] {
                #expect(readme.contains(section), "\(family)/README.md lacks \(section)")
            }
        }
        // Each profile's family is its folder, and ids are unique.
        #expect(Set(Self.shipped.profiles.map(\.id)).count == Self.shipped.profiles.count)
    }

    @Test func theShippedProfilesCoverEveryTransport() {
        #expect(Set(Self.shipped.profiles.map(\.transport)) == Set(ScannerProfile.Transport.allCases))
    }

    @Test func brokenProfilesAreReportedByFileAndKeyAndTheRestStillLoad() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("profiles-\(UUID().uuidString)")
        let family = directory.appendingPathComponent("shop")
        try FileManager.default.createDirectory(at: family, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = try JSONEncoder().encode(ScannerFixtureTests.keyboard)
        try good.write(to: family.appendingPathComponent("good.json"))
        try Data("{\"id\": \"x\"".utf8).write(to: family.appendingPathComponent("truncated.json"))
        var bad = ScannerFixtureTests.serial
        bad.match.vendorID = "12345"
        bad.baud = 1234
        try JSONEncoder().encode(bad).write(to: family.appendingPathComponent("bad-values.json"))
        var missing = try JSONSerialization.jsonObject(with: good) as! [String: Any]
        missing["transport"] = nil
        try JSONSerialization.data(withJSONObject: missing).write(to: family.appendingPathComponent("missing-key.json"))

        let loaded = ScannerProfiles.load(from: [directory.path])
        #expect(loaded.profiles.map(\.id) == ["test-keyboard"])
        let problems = Dictionary(uniqueKeysWithValues: loaded.problems.map { (($0.path as NSString).lastPathComponent, $0.problem) })
        #expect(problems["bad-values.json"]?.contains("match.vendor_id \"12345\" is not four hex digits") == true)
        #expect(problems["bad-values.json"]?.contains("baud 1234") == true)
        #expect(problems["missing-key.json"] == "missing key transport")
        #expect(problems["truncated.json"] != nil)
    }

    @Test func prefixAndSuffixAreStrippedWherePresent() {
        var framer = ScanFramer(framing: ScanFraming(terminator: .cr, interCharacterTimeout: nil,
                                                     prefix: Array("]Q1".utf8), suffix: Array("#".utf8)))
        #expect(framer.feed(Array("]Q1DEMO-0001#\rDEMO-0002\r".utf8)) == [.scan(Array("DEMO-0001".utf8)), .scan(Array("DEMO-0002".utf8))])
    }
}

@Suite struct UdevRulesTests {
    @Test func theCommittedRulesMatchTheProfiles() throws {
        let committed = try String(contentsOfFile: Fixture.repositoryPath("udev/70-counterd-scanners.rules"), encoding: .utf8)
        let generated = UdevRules.generate(for: ScannerProfileTests.shipped.profiles)
        #expect(committed == generated,
                "udev/70-counterd-scanners.rules is out of date: run `counterd udev-rules > udev/70-counterd-scanners.rules`")
    }

    @Test func eachTransportGetsItsNodesAndProperties() {
        let rules = UdevRules.generate(for: [ScannerFixtureTests.keyboard, ScannerFixtureTests.hidPOS, ScannerFixtureTests.serial])
        let lines = rules.split(separator: "\n").map(String.init)
        let input = lines.first { $0.hasPrefix("SUBSYSTEM==\"input\"") }
        let hidraw = lines.first { $0.hasPrefix("SUBSYSTEM==\"hidraw\"") }
        let tty = lines.first { $0.hasPrefix("SUBSYSTEM==\"tty\"") }
        #expect(input?.contains("ATTRS{idVendor}==\"1eab\", ATTRS{idProduct}==\"1303\"") == true)
        #expect(input?.contains("ENV{LIBINPUT_IGNORE_DEVICE}=\"1\"") == true)
        #expect(hidraw?.contains("ATTRS{idProduct}==\"1310\"") == true)
        #expect(tty?.contains("ENV{ID_MM_DEVICE_IGNORE}=\"1\"") == true)
        for rule in [input, hidraw, tty].compactMap({ $0 }) {
            #expect(rule.contains("GROUP=\"counterd\", MODE=\"0660\""))
            #expect(rule.contains("SYMLINK+=\"counterd/"))
        }
        #expect(lines.filter { $0.hasPrefix("SUBSYSTEM==\"usb\"") }.count == 3)
    }
}
