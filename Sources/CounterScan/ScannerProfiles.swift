import Foundation

/// The scanner profiles counterd knows: every `FAMILY/*.json` under the profile directories.
public struct ScannerProfiles: Sendable {
    /// A profile file that could not be used, and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var description: String { "\(path): \(problem)" }
    }

    public private(set) var profiles: [ScannerProfile]
    /// Files skipped because they are broken (the daemon logs them; the other profiles still work).
    public private(set) var problems: [Problem]

    public init(profiles: [ScannerProfile], problems: [Problem] = []) {
        self.profiles = profiles
        self.problems = problems
    }

    /// Loads the profiles in `directories`; the first file with an id wins.
    public static func load(from directories: [String]) -> ScannerProfiles {
        var profiles: [ScannerProfile] = []
        var problems: [Problem] = []
        var seen: Set<String> = []
        for directory in directories {
            for path in profileFiles(in: directory) {
                do {
                    let profile = try JSONDecoder().decode(ScannerProfile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                    let issues = profile.problems()
                    if !issues.isEmpty {
                        problems.append(Problem(path: path, problem: issues.joined(separator: "; ")))
                    } else if seen.insert(profile.id).inserted {
                        profiles.append(profile)
                    }
                } catch let error as DecodingError {
                    problems.append(Problem(path: path, problem: Self.describe(error)))
                } catch {
                    problems.append(Problem(path: path, problem: "\(error)"))
                }
            }
        }
        return ScannerProfiles(profiles: profiles, problems: problems)
    }

    /// `DIRECTORY/FAMILY/*.json`, sorted.
    static func profileFiles(in directory: String) -> [String] {
        let families = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return families.flatMap { family -> [String] in
            let folder = (directory as NSString).appendingPathComponent(family)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            return files.filter { $0.hasSuffix(".json") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
        }
    }

    /// The best profile for a device: its VID:PID before a product word; `nil` when none fits.
    public func match(vendorProduct: String, strings: [String]) -> ScannerProfile? {
        profiles.compactMap { profile in profile.matchStrength(vendorProduct: vendorProduct, strings: strings).map { ($0, profile) } }
            .max { $0.0 < $1.0 }?.1
    }

    /// The profile with `id`.
    public func profile(id: String) -> ScannerProfile? { profiles.first { $0.id == id } }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key \(([path(context)].filter { !$0.isEmpty } + [key.stringValue]).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context).isEmpty ? "file" : path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
