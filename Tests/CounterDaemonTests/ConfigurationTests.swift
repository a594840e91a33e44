import CounterCore
import CounterAPI
import CounterAPIModels
@testable import CounterDaemon
import CounterLedger
import CounterReceipts
import CounterPrint
import Logging
import CounterScan
import Foundation
import Testing

@Suite struct ConfigurationTests {
    let minimal = """
        device:
          id: till-1
          shop: SHOP-1
        state_directory: /var/lib/counterd
        """

    func error(_ yaml: String) -> ConfigError? {
        do {
            _ = try DaemonConfiguration.parse(yaml: yaml, environment: [:])
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func minimalFileGetsDefaults() throws {
        let configuration = try DaemonConfiguration.parse(yaml: minimal, environment: ["XDG_RUNTIME_DIR": "/run/user/1000"])
        #expect(configuration.identity?.deviceID == "till-1")
        #expect(configuration.timeZone.identifier == "Asia/Shanghai")
        #expect(configuration.voidWindow == .seconds(600))
        #expect(configuration.api.http == nil, "no TCP listener unless configured")
        #expect(configuration.scanners.isEmpty)
        #expect(!configuration.loadDemoData)
    }

    @Test func printerSection() throws {
        #expect(try DaemonConfiguration.parse(yaml: minimal, environment: [:]).printer.enabled == false,
                "no printer section: nothing printed")
        let configuration = try DaemonConfiguration.parse(yaml: minimal + """

            printer:
              destination: receipt
              profile: generic-80
              cups_server: 127.0.0.1:631
              kick_drawer: true
            """, environment: [:])
        #expect(configuration.printer.enabled)
        #expect(configuration.printer.destination == "receipt")
        #expect(configuration.printer.profile.id == PrinterProfile.generic80.id)
        #expect(configuration.printer.cupsServer == "127.0.0.1:631")
        #expect(configuration.printer.kickDrawer)

        let unknown = error(minimal + "\nprinter:\n  profile: acme-9000\n")
        #expect(unknown?.key == "printer.profile")
        #expect(unknown?.description.contains("generic-58") == true, "lists the known profiles")
        #expect(error(minimal + "\nprinter:\n  destination: my printer\n")?.key == "printer.destination")
        #expect(error(minimal + "\nprinter:\n  colour: red\n")?.key == "printer.colour")
    }

    @Test func usbScannersSection() throws {
        let defaults = try DaemonConfiguration.parse(yaml: minimal, environment: [:]).usbScanners
        #expect(defaults.enabled && defaults.rescanInterval == .seconds(2), "USB scanners are found by default")
        let configuration = try DaemonConfiguration.parse(yaml: minimal + """

            usb_scanners:
              enabled: false
              rescan_interval: 500ms
              profiles_directory: /etc/counterd/scanners
            """, environment: ["COUNTERD_SCANNER_PROFILES": "/opt/profiles"])
        #expect(!configuration.usbScanners.enabled)
        #expect(configuration.usbScanners.rescanInterval == .milliseconds(500))
        #expect(Array(configuration.usbScanners.profileDirectories.prefix(3))
                == ["/etc/counterd/scanners", "/opt/profiles", "/usr/share/counterd/scanners"])
        let fast = error(minimal + "\nusb_scanners:\n  rescan_interval: 10ms\n")
        #expect(fast?.key == "usb_scanners.rescan_interval")
        #expect(fast?.description.contains("200ms to 60s") == true)
        #expect(error(minimal + "\nusb_scanners:\n  hotplug: yes\n")?.key == "usb_scanners.hotplug")
    }

    @Test func fullFile() throws {
        let configuration = try DaemonConfiguration.parse(yaml: minimal + """

            api:
              socket: /run/counterd/api.sock
              http: 127.0.0.1:9000
            redeem:
              void_window: 5m
            log:
              level: debug
            scanners:
              - name: front
                type: serial
                path: /dev/ttyACM0
                baud: 115200
                terminator: crlf
                inter_char_timeout: 80ms
                duplicate_window: 0
              - name: keys
                type: terminal
            """, environment: [:])
        #expect(configuration.api.socketPath == "/run/counterd/api.sock")
        #expect(configuration.api.http?.port == 9000)
        #expect(configuration.voidWindow == .seconds(300))
        #expect(configuration.logLevel == .debug)
        guard case .serial(let serial) = configuration.scanners.first else {
            Issue.record("expected a serial scanner")
            return
        }
        #expect(serial.baud == 115200)
        #expect(serial.framing.terminator == .crlf)
        #expect(serial.framing.interCharacterTimeout == .milliseconds(80))
        #expect(serial.duplicateWindow == nil)
        #expect(configuration.hasTerminalSource)
    }

    @Test func theShippedExampleFileIsValid() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config/counterd.example.yaml")
        _ = try DaemonConfiguration.load(file: url.path, environment: [:])
    }

    @Test func deviceSectionIsOptionalButComesWhole() throws {
        // An enrolled counter takes its id and shop from its credential.
        #expect(try DaemonConfiguration.parse(yaml: "state_directory: /x\n", environment: [:]).identity == nil)
        let error = error("device:\n  id: a\nstate_directory: /x\n")
        #expect(error?.key == "device.shop")
        #expect(error?.fix.contains("enrollment") == true)
    }

    @Test func unknownKeySuggestsTheClosestOne() {
        let error = error(minimal + "\nredeem:\n  void_windwo: 5m\n")
        #expect(error?.key == "redeem.void_windwo")
        #expect(error?.fix.contains("\"void_window\"") == true)
    }

    @Test func badTerminatorNamesKeyValueAndChoices() {
        let error = error(minimal + "\nscanners:\n  - name: a\n    type: serial\n    path: /dev/ttyACM0\n    terminator: enter\n")
        #expect(error?.key == "scanners[0].terminator")
        #expect(error?.value == "enter")
        #expect(error?.fix.contains("cr, lf, crlf, tab, none") == true)
        #expect(error?.description.contains("scanners[0].terminator = \"enter\"") == true)
    }

    @Test func badDuration() {
        let error = error(minimal + "\nredeem:\n  void_window: ten minutes\n")
        #expect(error?.key == "redeem.void_window")
        #expect(error?.fix.contains("10m") == true)
    }

    /// Issue 15, item 11: the demo signing key's private half is public, so an enrolled counter never loads demo data.
    @Test func demoDataIsRefusedOnAnEnrolledCounter() async throws {
        let directory = NSTemporaryDirectory() + "counterd-demo-enrolled-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credential = #"{"hubURL": "https://engine.example.com/", "deviceID": "till-1", "shopID": "SHOP-1", "deviceToken": "t", "#
            + #""rootPublicKey": "\#(String(repeating: "ab", count: 32))", "enrolledAt": "2026-12-01T00:00:00Z"}"#
        try Data(credential.utf8).write(to: URL(fileURLWithPath: directory + "/credential.json"))
        var configuration = try DaemonConfiguration.demo(environment: [:])
        configuration.stateDirectory = directory
        do {
            _ = try await buildDaemon(configuration, logger: Logger(label: "test"))
            Issue.record("an enrolled counter started with demo data")
        } catch let error as ConfigError {
            #expect(error.key == "demo")
            #expect(error.fix.contains("demo: true"))
        }
        #expect(!FileManager.default.fileExists(atPath: configuration.ledgerPath), "nothing was written")
    }

    /// Found by the Config fuzz target: a mapping key that is not a scalar trapped inside Yams.
    @Test(arguments: ["? [a, b]\n: c\n", "device:\n  ? {x: 1}\n  : y\n", "? Check a file with: counterd\n", "scanners:\n  - ? [1]\n    : 2\n"])
    func nonScalarKeysAreAClearError(yaml: String) {
        let error = error(yaml)
        #expect(error != nil, "\(yaml)")
    }

    /// Issue 15, item 2: a duration past any sane bound (`1e300s` once trapped converting to milliseconds) is refused.
    @Test(arguments: ["1e300s", "1e300", "9e18ms", "inf", "nan", "-1s", "1e20h", "400d"])
    func absurdDurationsAreRefused(value: String) {
        let error = error(minimal + "\nredeem:\n  void_window: \(value)\n")
        #expect(error?.key == "redeem.void_window", "\(value)")
    }

    /// Issue 17: the day close's time of day, 04:00 unless set, or off.
    @Test func theDayCloseIsATimeOfDayOrOff() throws {
        #expect(try DaemonConfiguration.parse(yaml: minimal, environment: [:]).dayClose == TimeOfDay(hour: 4, minute: 0))
        #expect(try DaemonConfiguration.parse(yaml: minimal + "\nshifts:\n  day_close: \"23:30\"\n", environment: [:]).dayClose
                == TimeOfDay(hour: 23, minute: 30))
        #expect(try DaemonConfiguration.parse(yaml: minimal + "\nshifts:\n  day_close: \"off\"\n", environment: [:]).dayClose == nil)
        for value in ["\"24:00\"", "\"4:00\"", "\"04:60\"", "\"noon\"", "\"04:00:00\"", "\"０４:００\""] {
            #expect(error(minimal + "\nshifts:\n  day_close: \(value)\n")?.key == "shifts.day_close", "\(value)")
        }
    }

    @Test func theDayCloseTimeFallsInTheShopsTimeZone() throws {
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        let time = try #require(TimeOfDay(hour: 4, minute: 0))
        // 2026-12-05 10:00 in Shanghai (02:00 UTC).
        let now = Date(timeIntervalSince1970: 1_796_436_000)
        #expect(time.latest(atOrBefore: now, in: zone) == Date(timeIntervalSince1970: 1_796_436_000 - 6 * 3600))
        #expect(time.next(after: now, in: zone) == Date(timeIntervalSince1970: 1_796_436_000 + 18 * 3600))
    }

    /// Issue 17: a staff session's idle timeout, 30 minutes unless set, from one minute to twelve hours.
    @Test func staffSessionIdleIsThirtyMinutesOrInRange() throws {
        #expect(try DaemonConfiguration.parse(yaml: minimal, environment: [:]).staffSessionIdle == .seconds(1800))
        let set = try DaemonConfiguration.parse(yaml: minimal + "\nstaff:\n  session_idle: 45m\n", environment: [:])
        #expect(set.staffSessionIdle == .seconds(2700))
        for value in ["30s", "13h", "0s", "soon"] {
            #expect(error(minimal + "\nstaff:\n  session_idle: \(value)\n")?.key == "staff.session_idle", "\(value)")
        }
        #expect(error(minimal + "\nstaff:\n  idle: 5m\n") != nil, "an unknown key is refused")
    }

    /// Issue 16, item 5: the device token's rotation period, in days; 0s turns rotation off, under an hour is a mistake.
    @Test func tokenRotationIsInDaysOffOrAtLeastAnHour() throws {
        #expect(try DaemonConfiguration.parse(yaml: minimal, environment: [:]).tokenRotation == .seconds(90 * 86_400))
        for (value, seconds) in [("30d", 30 * 86_400), ("0s", 0), ("1h", 3600), ("366d", 366 * 86_400)] {
            let configuration = try DaemonConfiguration.parse(yaml: minimal + "\nhub:\n  token_rotation: \(value)\n", environment: [:])
            #expect(configuration.tokenRotation == .seconds(seconds), "\(value)")
        }
        for value in ["30m", "1s", "367d", "soon", "-1d"] {
            let error = error(minimal + "\nhub:\n  token_rotation: \(value)\n")
            #expect(error?.key == "hub.token_rotation", "\(value)")
            #expect(error?.fix.contains("90d") == true, "\(value)")
        }
    }

    /// Issue 15, item 1: a DNS name starting with `127.` is not loopback.
    @Test(arguments: ["127.attacker.example:8765", "127.0.0.1.rebind.example:8765", "localhost.example:8765"])
    func rebindingNamesAreNotLoopbackListeners(address: String) {
        #expect(error(minimal + "\napi:\n  http: \(address)\n")?.key == "api.http")
    }

    @Test func networkReachableHTTPNeedsExplicitConsent() throws {
        #expect(error(minimal + "\napi:\n  http: 0.0.0.0:8765\n")?.key == "api.http")
        let allowed = try DaemonConfiguration.parse(yaml: minimal + "\napi:\n  http: 0.0.0.0:8765\n  allow_non_loopback: true\n",
                                                    environment: [:])
        #expect(allowed.api.http?.host == "0.0.0.0")
    }

    @Test(arguments: [
        ("device:\n  id: a\n  shop: b\n  time_zone: Mars/Olympus\nstate_directory: /x\n", "device.time_zone"),
        ("device:\n  id: has space\n  shop: b\nstate_directory: /x\n", "device.id"),
        ("device:\n  id: a\n  shop: b\n", "state_directory"),
        ("device:\n  id: a\n  shop: b\nstate_directory: /x\nscanners:\n  - name: s\n    type: usb\n", "scanners[0].type"),
        ("state_directory: /x\nhub:\n  poll_interval: 1s\n", "hub.poll_interval"),
        ("device:\n  id: a\n  shop: b\nstate_directory: /x\nscanners:\n  - name: s\n    type: serial\n", "scanners[0].path"),
        ("device:\n  id: a\n  shop: b\nstate_directory: /x\nscanners:\n  - name: s\n    type: serial\n    path: /dev/x\n    baud: 1234\n", "scanners[0].baud"),
        ("device:\n  id: a\n  shop: b\nstate_directory: /x\nlog:\n  level: loud\n", "log.level"),
        ("device:\n  id: a\n  shop: b\nstate_directory: /x\ndemo: maybe\n", "demo"),
        ("device:\n  id: a\n  shop: b\nstate_directory: /x\napi:\n  socket: relative.sock\n", "api.socket"),
        ("device: [1, 2]\n", "device"),
    ])
    func eachProblemNamesItsKey(yaml: String, key: String) {
        #expect(error(yaml)?.key == key)
    }

    @Test func yamlSyntaxErrorsAreExplained() {
        let error = error("device:\n  id: [unclosed\n")
        #expect(error?.problem.contains("YAML") == true)
    }

    @Test func outOfRangeDurationShowsTheValueAsWritten() {
        let error = error(minimal + "\nredeem:\n  void_window: 25h\n")
        #expect(error?.value == "25h")
        #expect(error?.problem == "must be from 0s to 24h")
    }

    @Test func onlyOneTerminalSource() {
        let yaml = minimal + "\nscanners:\n  - name: a\n    type: terminal\n  - name: b\n    type: terminal\n"
        #expect(error(yaml)?.key == "scanners")
    }

    @Test func socketDefaults() {
        #expect(DefaultPaths.socketPath(environment: [:], userID: 0) == "/run/counterd/counterd.sock")
        #expect(DefaultPaths.socketPath(environment: ["RUNTIME_DIRECTORY": "/run/counterd:/run/x"], userID: 999)
                == "/run/counterd/counterd.sock")
        #expect(DefaultPaths.socketPath(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], userID: 1000)
                == "/run/user/1000/counterd/counterd.sock")
        #expect(DefaultPaths.socketPath(environment: [:], userID: 1000) == "/tmp/counterd-1000/counterd.sock")
        #expect(DefaultPaths.clientSocketPath(environment: ["COUNTERD_SOCKET": "/x.sock"], userID: 1000) == "/x.sock")
        #expect(DefaultPaths.clientSocketPath(environment: [:], userID: 1000, exists: { _ in true })
                == "/run/counterd/counterd.sock")
        #expect(DefaultPaths.clientSocketPath(environment: [:], userID: 1000, exists: { _ in false })
                == "/tmp/counterd-1000/counterd.sock")
        // Outside the counterd group the socket cannot be seen, only its directory: still the system socket,
        // so connecting says "Permission denied" and doctor names the group fix.
        #expect(DefaultPaths.clientSocketPath(environment: [:], userID: 1000, exists: { $0 == "/run/counterd" })
                == "/run/counterd/counterd.sock")
    }

    @Test func duplicateScannerNames() {
        let yaml = minimal + "\nscanners:\n  - name: a\n    type: terminal\n  - name: a\n    type: terminal\n"
        #expect(error(yaml)?.key == "scanners")
    }

    @Test func unreadableFileNamesTheFile() {
        #expect(throws: ConfigError.self) { try DaemonConfiguration.load(file: "/nonexistent/counterd.yaml") }
    }

    @Test func demoDefaultListensOnLoopbackOnly() throws {
        let demo = try DaemonConfiguration.demo(environment: [:])
        #expect(demo.api.http?.host == "127.0.0.1")
        #expect(demo.loadDemoData)
        #expect(demo.hasTerminalSource)
    }
}
