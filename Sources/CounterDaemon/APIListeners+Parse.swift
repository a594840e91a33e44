import CounterAPI
import CounterAPIModels
import CounterCore

extension APIListeners {
    /// The keys of the `api:` section.
    static let configKeys: [ConfigKey] = [.text("socket"), .text("http"), .trueFalse("allow_non_loopback")]

    /// Reads the `api:` section; what it leaves out keeps the defaults (the default socket path, no TCP listener).
    static func parse(_ table: inout ConfigTable, environment: [String: String]) throws -> APIListeners {
        var api = APIListeners(socketPath: DefaultPaths.socketPath(environment: environment))
        if let socket = try table.string("socket", fix: "write an absolute path") {
            guard socket.hasPrefix("/"), socket.utf8.count < 108 else {
                throw ConfigError(key: "api.socket", value: socket, problem: "must be an absolute path shorter than 108 bytes",
                                  fix: "use a path such as /run/counterd/counterd.sock")
            }
            api.socketPath = socket
        }
        let allowNetwork = try table.bool("allow_non_loopback") ?? false
        if let http = try table.string("http", fix: "write host:port, e.g. 127.0.0.1:8765") {
            api.http = try DaemonConfiguration.parseHTTPAddress(http, allowNonLoopback: allowNetwork)
        }
        try table.finish(configKeys)
        return api
    }
}
