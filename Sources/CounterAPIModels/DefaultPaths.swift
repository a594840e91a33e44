import Foundation

/// Where counterd puts its API socket when the configuration does not say, and where counterctl looks.
///
/// In order: `$COUNTERD_SOCKET`; systemd's `$RUNTIME_DIRECTORY/counterd.sock`; for root
/// `/run/counterd/counterd.sock`; `$XDG_RUNTIME_DIR/counterd/counterd.sock`; `/tmp/counterd-UID/counterd.sock`.
public enum DefaultPaths {
    public static func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  userID: UInt32 = getuid()) -> String {
        if let explicit = environment["COUNTERD_SOCKET"], !explicit.isEmpty { return explicit }
        if let runtime = environment["RUNTIME_DIRECTORY"], !runtime.isEmpty {
            // systemd may list several directories separated by ':'; the first is ours.
            let first = runtime.split(separator: ":").first.map(String.init) ?? runtime
            return first + "/counterd.sock"
        }
        if userID == 0 { return "/run/counterd/counterd.sock" }
        if let xdg = environment["XDG_RUNTIME_DIR"], !xdg.isEmpty { return xdg + "/counterd/counterd.sock" }
        return "/tmp/counterd-\(userID)/counterd.sock"
    }

    /// The socket counterctl tries: `$COUNTERD_SOCKET`, then the system daemon's socket when it or its
    /// directory exists (a technician's own user may not be root, and outside the counterd group cannot
    /// even see into /run/counterd: connecting then says "Permission denied", which doctor explains),
    /// then where a daemon of this user would listen.
    public static func clientSocketPath(environment: [String: String] = ProcessInfo.processInfo.environment,
                                        userID: UInt32 = getuid(),
                                        exists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }) -> String {
        if let explicit = environment["COUNTERD_SOCKET"], !explicit.isEmpty { return explicit }
        let system = "/run/counterd/counterd.sock"
        if exists(system) || exists("/run/counterd") { return system }
        return socketPath(environment: environment, userID: userID)
    }
}
