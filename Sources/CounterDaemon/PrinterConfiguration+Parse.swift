import CounterCore
import CounterPrint
import CounterReceipts

extension PrinterConfiguration {
    /// The keys of the `printer:` section.
    static let configKeys: [ConfigKey] = [.trueFalse("enabled"), .text("destination"), .text("cups_server"),
                                          .text("profiles_directory"), .text("profile"), .trueFalse("kick_drawer")]

    /// Reads the `printer:` section (a section that exists prints unless `enabled: false`), with the directories
    /// its profile was looked up in.
    static func parse(_ table: inout ConfigTable, environment: [String: String]) throws
        -> (PrinterConfiguration, directories: [String]) {
        var printer = PrinterConfiguration()
        printer.enabled = try table.bool("enabled") ?? true
        if let destination = try table.string("destination", fix: "write the CUPS queue name, as `lpstat -p` lists it") {
            guard !destination.isEmpty, destination.utf8.count <= 127,
                  destination.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0 != "/" && $0 != "#" && $0.value != 0x7F }) else {
                throw ConfigError(key: table.key("destination"), value: destination,
                                  problem: "is not a CUPS queue name (printable, no spaces, '/' or '#', at most 127 bytes)",
                                  fix: "write the queue name as `lpstat -p` or `counterctl printers` lists it, or leave it out for the CUPS default")
            }
            printer.destination = destination
        }
        if let server = try table.string("cups_server", fix: "write host:port or the path of the CUPS socket") {
            guard !server.isEmpty else {
                throw ConfigError(key: table.key("cups_server"), value: server, problem: "is empty",
                                  fix: "leave it out for the local CUPS, or write host:port such as 127.0.0.1:631")
            }
            printer.cupsServer = server
        }
        let extra = try table.string("profiles_directory", fix: "write a directory of profile files")
        let directories = PrinterProfiles.directories(extra: extra, environment: environment)
        if let id = try table.string("profile", fix: "use a profile id such as generic-58 or xprinter-xp80") {
            printer.profile = try PrinterProfiles.find(id, in: directories, key: table.key("profile"))
        }
        printer.kickDrawer = try table.bool("kick_drawer") ?? false
        if printer.kickDrawer, printer.profile.drawerPins.isEmpty {
            throw ConfigError(key: table.key("kick_drawer"), value: "true", problem: "is set but profile \(printer.profile.id) has no drawer pins",
                              fix: "choose a profile with drawer_pins, or set kick_drawer: false")
        }
        try table.finish(configKeys)
        return (printer, directories)
    }
}
