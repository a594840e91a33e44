import CounterCore
import CounterAPI
import CounterDaemon
import CounterLedger
import CounterReceipts
import CounterPrint
import Foundation
import Logging
import Testing

/// Layers: defaults < file < environment (`COUNTERD_<KEY>`) < `--set` flags.
@Suite struct ConfigOverridesTests {
    let file = """
        device:
          id: till-1
          shop: SHOP-1
        state_directory: /var/lib/counterd
        log:
          level: info
        """

    @Test func environmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws {
        let fromFile = try DaemonConfiguration.parse(yaml: file, environment: [:])
        #expect(fromFile.logLevel == .info)
        let fromEnvironment = try DaemonConfiguration.parse(yaml: file, environment: ["COUNTERD_LOG_LEVEL": "debug"])
        #expect(fromEnvironment.logLevel == .debug)
        let fromFlag = try DaemonConfiguration.parse(yaml: file, environment: ["COUNTERD_LOG_LEVEL": "debug"],
                                                     flags: ["log.level=error"])
        #expect(fromFlag.logLevel == .error)
    }

    @Test func defaultsApplyWhereNoLayerSaysAnything() throws {
        let configuration = try DaemonConfiguration.parse(yaml: file, environment: ["COUNTERD_REDEEM_VOID_WINDOW": "5m"])
        #expect(configuration.voidWindow == .seconds(300))
        #expect(configuration.syncPollInterval == .seconds(60), "default kept")
    }

    @Test func overridesCreateMissingSectionsAndParseTrueFalse() throws {
        let configuration = try DaemonConfiguration.parse(
            yaml: file, environment: ["COUNTERD_PRINTER_DESTINATION": "receipt", "COUNTERD_USB_SCANNERS_ENABLED": "no"],
            flags: ["api.http=127.0.0.1:9000", "printer.profile=generic-80"])
        #expect(configuration.printer.enabled)
        #expect(configuration.printer.destination == "receipt")
        #expect(configuration.printer.profile.id == "generic-80")
        #expect(configuration.usbScanners.enabled == false)
        #expect(configuration.api.http?.port == 9000)
    }

    @Test func anInvalidOverrideNamesItsOrigin() {
        do {
            _ = try DaemonConfiguration.parse(yaml: file, environment: ["COUNTERD_LOG_LEVEL": "loud"])
            Issue.record("accepted a bad level")
        } catch let error as ConfigError {
            #expect(error.key == "log.level")
            #expect(error.value == "loud")
            #expect(error.description.contains("environment variable COUNTERD_LOG_LEVEL"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        do {
            _ = try DaemonConfiguration.parse(yaml: file, environment: [:], flags: ["api.http=0.0.0.0:80"])
            Issue.record("accepted a network listener")
        } catch let error as ConfigError {
            #expect(error.description.contains("--set api.http"), "\(error)")
            #expect(error.fix.contains("allow_non_loopback"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: ConfigError.self) {
            try DaemonConfiguration.parse(yaml: file, environment: ["COUNTERD_DEMO": "perhaps"])
        }
    }

    @Test func unknownOrMalformedFlagsAreRefusedWithASuggestion() {
        do {
            _ = try ConfigOverrides(environment: [:], flags: ["log.levle=debug"])
            Issue.record("accepted an unknown key")
        } catch let error as ConfigError {
            #expect(error.fix.contains("did you mean \"log.level\""), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: ConfigError.self) { try ConfigOverrides(environment: [:], flags: ["log.level"]) }
        #expect(throws: ConfigError.self) { try ConfigOverrides(environment: [:], flags: ["scanners=[]"]) }
    }

    @Test func unrelatedVariablesAreIgnored() throws {
        let overrides = try ConfigOverrides(environment: ["COUNTERD_SOCKET": "/tmp/x.sock", "COUNTERD_NONSENSE": "1",
                                                          "COUNTERD_STATE_DIRECTORY": "/srv/counterd"])
        #expect(overrides.entries.map(\.key) == ["state_directory"])
        #expect(ConfigOverrides.variable(for: "usb_scanners.rescan_interval") == "COUNTERD_USB_SCANNERS_RESCAN_INTERVAL")
    }

    @Test func theEmbeddedDemoTakesOverridesToo() throws {
        let demo = try DaemonConfiguration.demo(environment: ["COUNTERD_STATE_DIRECTORY": "/tmp/elsewhere"],
                                                flags: ["api.http=127.0.0.1:9999"])
        #expect(demo.stateDirectory == "/tmp/elsewhere")
        #expect(demo.api.http?.port == 9999)
        #expect(demo.loadDemoData)
    }

    @Test func everyOverridableKeyIsAKeyTheParserKnows() throws {
        // A key in the table the parser does not read would fail as unknown; each is set to a valid value.
        let values: [String: String] = [
            "device.id": "till-2", "device.shop": "SHOP-2", "device.time_zone": "Europe/Berlin", "state_directory": "/tmp/s",
            "api.socket": "/tmp/s.sock", "api.http": "127.0.0.1:1234", "api.allow_non_loopback": "false",
            "redeem.void_window": "1m", "staff.session_idle": "45m", "shifts.day_close": "03:30", "hub.poll_interval": "30s", "hub.token_rotation": "30d", "log.level": "debug", "demo": "false",
            "usb_scanners.enabled": "true", "usb_scanners.rescan_interval": "1s", "usb_scanners.profiles_directory": "/tmp",
            "printer.enabled": "false", "printer.destination": "q", "printer.cups_server": "127.0.0.1:631",
            "printer.profiles_directory": "/tmp", "printer.profile": "generic-58", "printer.kick_drawer": "false",
        ]
        #expect(Set(values.keys) == Set(ConfigOverrides.keys.keys))
        let configuration = try DaemonConfiguration.parse(yaml: file, environment: [:],
                                                          flags: values.map { "\($0.key)=\($0.value)" })
        #expect(configuration.identity?.deviceID == "till-2")
        #expect(configuration.timeZone.identifier == "Europe/Berlin")
    }
}
