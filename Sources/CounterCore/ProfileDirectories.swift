import Foundation

/// Where the driver data (printer and scanner profiles) is found.
public enum ProfileDirectories {
    /// In order: `extra` (from the configuration), the environment variable, the package's
    /// /usr/share/counterd/FOLDER, and drivers/FOLDER of a source tree above the executable.
    public static func search(_ folder: String, variable: String, extra: String?, environment: [String: String]) -> [String] {
        var directories = [extra, environment[variable], "/usr/share/counterd/\(folder)"].compactMap { $0 }
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = url.appendingPathComponent("drivers/\(folder)").path
            if FileManager.default.fileExists(atPath: candidate) { directories.append(candidate); break }
            url.deleteLastPathComponent()
        }
        return directories
    }
}
