import CounterCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What enrollment gives a counter: who it is, the hub it talks to, its bearer token and the pinned
/// root key. Kept in the state directory as `credential.json`, mode 0600; never logged.
public struct HubCredential: Codable, Sendable, Equatable {
    public var hubURL: String
    public var deviceID: String
    public var shopID: String
    public var deviceToken: String
    /// 64 hex characters: the Ed25519 key that signs key sets.
    public var rootPublicKey: String
    public var enrolledAt: Date
    /// When `deviceToken` was handed out by a token rotation; `nil` for the token of the enrollment.
    public var tokenIssuedAt: Date?

    /// The age of the token in use is counted from here.
    public var tokenDate: Date { tokenIssuedAt ?? enrolledAt }

    public init(hubURL: String, deviceID: String, shopID: String, deviceToken: String, rootPublicKey: String,
                enrolledAt: Date) {
        self.hubURL = hubURL
        self.deviceID = deviceID
        self.shopID = shopID
        self.deviceToken = deviceToken
        self.rootPublicKey = rootPublicKey
        self.enrolledAt = enrolledAt
    }

    /// The file inside a state directory.
    public static func path(in stateDirectory: String) -> String {
        (stateDirectory as NSString).appendingPathComponent("credential.json")
    }

    /// Reads the credential, or `nil` when the counter is not enrolled.
    public static func load(from stateDirectory: String) throws -> HubCredential? {
        let path = path(in: stateDirectory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(HubCredential.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes the credential with mode 0600 (created that way, then renamed into place).
    public func save(to stateDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o750])
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = Self.path(in: stateDirectory)
        let temporary = path + ".tmp"
        unlink(temporary)
        // Created 0600 from the first byte, never readable by others even for a moment.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw HubURLError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let data = try encoder.encode(self)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == data.count, synced else {
            throw HubURLError(description: "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            throw HubURLError(description: "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        // The rename is durable only once the directory entry is: a power cut now must not lose the credential.
        let directory = open(stateDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw HubURLError(description: "cannot open \(stateDirectory): \(String(cString: strerror(errno)))") }
        defer { close(directory) }
        guard fsync(directory) == 0 else {
            throw HubURLError(description: "cannot sync \(stateDirectory): \(String(cString: strerror(errno)))")
        }
    }
}

/// Why a hub URL cannot be used.
public struct HubURLError: Error, CustomStringConvertible {
    public let description: String
}

/// Checks a hub base URL: HTTPS, or plain HTTP only to a loopback host (tests and demos), matched exactly
/// (``LoopbackHost``). A URL with user info, a query or a fragment is refused: a password in it would show
/// in `status`, in doctor and in logs, and none of them belongs in a base URL.
public func validateHubURL(_ text: String) throws -> URL {
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
        throw HubURLError(description: "\(redactedHubURL(text)) is not a URL such as https://engine.example.com/counter")
    }
    guard url.user == nil, url.password == nil else {
        throw HubURLError(description: "\(redactedHubURL(text)) carries user info (user:password@): the device token is the only credential; "
                                     + "write the URL without it")
    }
    guard url.query == nil, url.fragment == nil else {
        throw HubURLError(description: "\(redactedHubURL(text)) has a query or fragment (?… or #…): write the base URL only")
    }
    switch scheme {
    case "https":
        return url
    case "http":
        guard LoopbackHost.contains(host) else {
            throw HubURLError(description: "plain http is allowed only to a loopback address (localhost, 127.0.0.0/8, ::1); "
                                         + "use https://\(host)…")
        }
        return url
    default:
        throw HubURLError(description: "\(redactedHubURL(text)) must start with https:// (or http:// to a loopback address)")
    }
}

/// A hub URL fit to show: scheme, host, port and path, with any user info, query and fragment removed
/// (a text that is no URL shows as `<invalid URL>`). `status`, doctor and logs show only this form.
public func redactedHubURL(_ text: String) -> String {
    guard var components = URLComponents(string: text), components.host != nil else { return "<invalid URL>" }
    components.user = nil
    components.password = nil
    components.query = nil
    components.fragment = nil
    return components.string ?? "<invalid URL>"
}
