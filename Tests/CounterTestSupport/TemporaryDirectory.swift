import Foundation

/// A fresh directory under the system's temporary directory, for one test: `path` exists until `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    /// Creates `$TMPDIR/<prefix>-<UUID>`.
    public init(_ prefix: String = "counterd-test") throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Removes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Runs `body` with a fresh directory and removes it afterwards, also when `body` throws.
    public static func with<T>(_ prefix: String = "counterd-test", _ body: (TemporaryDirectory) async throws -> T) async throws -> T {
        let directory = try TemporaryDirectory(prefix)
        defer { directory.remove() }
        return try await body(directory)
    }
}
