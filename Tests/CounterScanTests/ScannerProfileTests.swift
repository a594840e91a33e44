import CounterProfiles
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
        // counterd never opens the raw USB device (/dev/bus/usb): no rule gives it to the group.
        #expect(!lines.contains { $0.hasPrefix("SUBSYSTEM==\"usb\"") || $0.contains("usb_device") })
        #expect(lines.filter { $0.hasPrefix("SUBSYSTEM==") }.count == 3)
    }

    /// A profile in the shape the issue described: each field tries to end its udev string or comment and add
    /// a `RUN+=` that would run as root.
    static func hostile(id: String = "shop-scanner", name: String = "Shop scanner",
                        words: [String]? = nil) -> ScannerProfile {
        ScannerProfile(id: id, name: name, family: "local",
                       match: words == nil ? .init(vendorID: "1eab", productID: "1303") : .init(productContains: words),
                       transport: .keyboard, framing: .init(terminator: .cr, interCharacterTimeoutMS: 150))
    }

    static let injections: [ScannerProfile] = [
        hostile(id: "x\", RUN+=\"/bin/sh -c 'id > /tmp/pwned'\", SYMLINK+=\"y"),
        hostile(id: "../../etc/x"),
        hostile(id: "Scanner"),
        hostile(id: String(repeating: "a", count: 65)),
        hostile(name: "Shop scanner\nRUN+=\"/bin/sh -c 'id > /tmp/pwned'\""),
        hostile(name: "Shop scanner\rRUN+=\"/bin/touch /tmp/pwned\""),
        hostile(name: "Shop scanner \\"),
        hostile(name: "Shop scanner\u{2028}RUN+=\"/bin/touch /tmp/pwned\""),
        hostile(words: ["scanner\", RUN+=\"/bin/sh -c 'id > /tmp/pwned'\", ATTRS{product}==\"x"]),
        hostile(words: ["scan\\"]),
        hostile(words: ["*"]),
        hostile(words: ["scan?er"]),
        hostile(words: ["[sS]canner"]),
        hostile(words: ["scanner|keyboard"]),
        hostile(words: ["$env{HOME}"]),
        hostile(words: ["%k"]),
        hostile(words: [""]),
        hostile(words: ["   "]),
        hostile(words: ["scan\u{0}ner"]),
        hostile(words: [String(repeating: "a", count: 65)]),
        hostile(words: Array(repeating: "scanner", count: 33)),
    ]

    @Test(arguments: UdevRulesTests.injections) func aProfileThatCouldBreakOutOfItsUdevStringIsRefused(_ profile: ScannerProfile) throws {
        #expect(!profile.udevFieldProblems().isEmpty)
        #expect(!profile.problems().isEmpty)
        // Even handed to the generator directly, it writes nothing of it.
        let rules = UdevRules.generate(for: [profile, ScannerFixtureTests.serial])
        #expect(!rules.contains("RUN"))
        #expect(!rules.contains("pwned"))
        #expect(rules.split(separator: "\n").filter { $0.hasPrefix("SUBSYSTEM==") }.count == 1)

        // And the loader refuses the file, naming it, while the other profiles load.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("udev-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let family = directory.appendingPathComponent("local")
        try FileManager.default.createDirectory(at: family, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        try encoder.encode(profile).write(to: family.appendingPathComponent("hostile.json"))
        try encoder.encode(ScannerFixtureTests.serial).write(to: family.appendingPathComponent("serial.json"))
        let loaded = ScannerProfiles.load(from: [directory.path])
        #expect(loaded.profiles.map(\.id) == ["test-serial"])
        #expect(loaded.problems.map { ($0.path as NSString).lastPathComponent } == ["hostile.json"])
        #expect(loaded.problems.allSatisfy { !$0.problem.contains("\n") && !$0.problem.contains("\r") })
    }

    @Test func ordinaryNamesAndWordsStillWork() {
        let profile = Self.hostile(id: "shop_3.scanner-2", name: "条码枪 (Shop #3), keyboard mode: 'front' — 80 mm & more",
                                   words: ["scan engine", "条码", "Bar-Code 2D", "POS/USB", "it's"])
        #expect(profile.problems() == [])
        let rules = UdevRules.generate(for: [profile])
        #expect(rules.contains("# 条码枪 (Shop #3), keyboard mode: 'front' — 80 mm & more: keyboard, matched by product name\n"))
        #expect(rules.contains("ATTRS{product}==\"*[sS][cC][aA][nN] [eE][nN][gG][iI][nN][eE]*|*条码*|*[bB][aA][rR]-[cC][oO][dD][eE] 2[dD]*|*[pP][oO][sS]/[uU][sS][bB]*|*[iI][tT]'[sS]*\""))
        #expect(rules.contains("SYMLINK+=\"counterd/shop_3.scanner-2-$env{ID_PATH_TAG}\""))
    }

    @Test func everyLineIsARuleACommentOrBlankAndEveryQuoteIsClosed() {
        let rules = UdevRules.generate(for: ScannerProfileTests.shipped.profiles + Self.injections)
        for line in rules.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.isEmpty || line.hasPrefix("#") || line.hasPrefix("SUBSYSTEM==") || line.hasPrefix("ACTION==")
                    || line.hasPrefix("LABEL="), "\(line)")
            if !line.hasPrefix("#") {
                #expect(line.filter { $0 == "\"" }.count % 2 == 0, "\(line)")
                #expect(!line.contains("\\") && !line.contains("RUN"), "\(line)")
            }
        }
    }

    @Test func aGroupNameThatIsNotOneGetsNoRules() {
        #expect(UdevRules.isValidGroupName("counterd"))
        #expect(UdevRules.isValidGroupName("_pos-users2"))
        for group in ["", "Counterd", "counterd\", RUN+=\"/bin/true", "a b", "1group", String(repeating: "g", count: 33)] {
            #expect(!UdevRules.isValidGroupName(group))
            let rules = UdevRules.generate(for: [ScannerFixtureTests.serial], group: group)
            #expect(!rules.contains("SUBSYSTEM=="))
            #expect(!rules.contains("RUN"))
        }
    }
}

@Suite struct ScannerProfileProvenanceTests {
    @Test func theShippedProfilesUseTheProvenanceObject() throws {
        for profile in ScannerProfileTests.shipped.profiles {
            #expect(!profile.provenance.source.isEmpty, "\(profile.id)")
        }
        // The old keys are gone from the shipped files.
        let text = try String(contentsOfFile: Fixture.repositoryPath("drivers/scanners/newland/newland-hr100-serial.json"), encoding: .utf8)
        #expect(!text.contains("ids_verified"))
    }

    @Test func aLocalProfileWithTheOldKeysStillLoads() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("legacy-\(UUID().uuidString)")
        let family = directory.appendingPathComponent("shop")
        try FileManager.default.createDirectory(at: family, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(ScannerFixtureTests.serial)) as! [String: Any]
        object["provenance"] = nil
        object["ids_verified"] = true
        object["source"] = "seen on the shop's scanner"
        try JSONSerialization.data(withJSONObject: object).write(to: family.appendingPathComponent("old.json"))
        var neither = object
        neither["ids_verified"] = nil
        neither["source"] = nil
        neither["id"] = "neither"
        try JSONSerialization.data(withJSONObject: neither).write(to: family.appendingPathComponent("neither.json"))

        let loaded = ScannerProfiles.load(from: [directory.path])
        #expect(loaded.profiles.map(\.id) == ["test-serial"])
        #expect(loaded.profiles.first?.provenance.verified == true)
        #expect(loaded.profiles.first?.provenance.source == "seen on the shop's scanner")
        #expect(loaded.problems.map(\.problem) == ["missing key provenance"])
    }

    @Test func aFlatFileInALocalDirectoryIsReadToo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try JSONEncoder().encode(ScannerFixtureTests.keyboard).write(to: directory.appendingPathComponent("keyboard.json"))
        #expect(ScannerProfiles.load(from: [directory.path]).profiles.map(\.id) == ["test-keyboard"])
    }
}
