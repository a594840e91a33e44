import CounterCore
import CounterPrint
import CounterProfiles
import CounterReceipts
import Foundation
import Testing

/// Printer profiles through the shared loader: DIRECTORY/FAMILY/ID.json, the old flat DIRECTORY/ID.json of local
/// directories, the old provenance map, and the lookup's errors.
@Suite struct PrinterProfilesTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("drivers/printers").path

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("printer-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// generic-58 as a file written before families and the provenance object, under another id and width.
    func legacyProfile(id: String, width: Int = 40) -> String {
        """
        {"id": "\(id)", "name": "Shop printer", "paper_width_mm": 58, "paper_width_dots": 384, "characters_per_line": \(width),
         "chinese_mode": "kanji", "chinese_encoding": "GB18030", "native_qr": true, "cut": "1D564110", "drawer_pins": [0],
         "status_supported": false, "provenance": {"cut": "tried on the shop's printer"}}
        """
    }

    @Test func everyShippedProfileIsFoundByIdInItsFamilyFolder() throws {
        for id in ["generic-58", "generic-80", "xprinter-xp58", "xprinter-xp80", "gprinter-gp58", "zjiang-pos58", "epson-tm-t82-cn"] {
            let profile = try PrinterProfiles.find(id, in: [Self.shipped])
            #expect(profile.id == id)
        }
        #expect(try PrinterProfiles.find("xprinter-xp80", in: [Self.shipped]).provenance.source == "unverified on hardware")
    }

    @Test func aFlatLocalFileWithTheOldProvenanceStillWorksAndComesFirst() throws {
        let local = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: local) }
        try legacyProfile(id: "generic-58").write(to: local.appendingPathComponent("generic-58.json"), atomically: true, encoding: .utf8)
        let family = local.appendingPathComponent("shop")
        try FileManager.default.createDirectory(at: family, withIntermediateDirectories: true)
        try legacyProfile(id: "shop-58", width: 30).write(to: family.appendingPathComponent("shop-58.json"), atomically: true, encoding: .utf8)

        let overridden = try PrinterProfiles.find("generic-58", in: [local.path, Self.shipped])
        #expect(overridden.charactersPerLine == 40, "the local directory comes first")
        #expect(overridden.provenance.fields == ["cut": "tried on the shop's printer"])
        #expect(overridden.provenance.verified == false)
        #expect(try PrinterProfiles.find("shop-58", in: [local.path, Self.shipped]).charactersPerLine == 30)
        #expect(PrinterProfiles.knownIDs(in: [local.path, Self.shipped]).contains("shop-58"))
        // A file found by its name before the loader was shared still is, whatever id it holds.
        try legacyProfile(id: "front-printer", width: 42).write(to: local.appendingPathComponent("front.json"), atomically: true, encoding: .utf8)
        #expect(try PrinterProfiles.find("front", in: [local.path, Self.shipped]).charactersPerLine == 42)
        #expect(try PrinterProfiles.find("front-printer", in: [local.path, Self.shipped]).charactersPerLine == 42)
    }

    @Test func aBrokenFileNamesItselfAndAnUnknownIdListsTheKnownOnes() throws {
        let local = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: local) }
        try legacyProfile(id: "wide", width: 100_000).write(to: local.appendingPathComponent("wide.json"), atomically: true, encoding: .utf8)
        do {
            _ = try PrinterProfiles.find("wide", in: [local.path, Self.shipped])
            Issue.record("accepted a profile out of range")
        } catch let error as ConfigError {
            #expect(error.key == "printer.profile")
            #expect(error.problem.hasPrefix("has a profile file that cannot be read (\(local.path)/wide.json: characters_per_line"), "\(error)")
            #expect(error.fix == "check the file against drivers/printers/README.md")
        }
        do {
            _ = try PrinterProfiles.find("nosuch", in: [Self.shipped])
            Issue.record("accepted an unknown id")
        } catch let error as ConfigError {
            #expect(error.problem == "is not a known printer profile")
            #expect(error.fix.contains("epson-tm-t82-cn, generic-58, generic-80"), "\(error)")
        }
        #expect(throws: ConfigError.self) { try PrinterProfiles.find("../etc/passwd", in: [Self.shipped]) }
        // The built-in generic profiles need no file at all.
        #expect(try PrinterProfiles.find("generic-80", in: []) == PrinterProfile.generic80)
    }
}
