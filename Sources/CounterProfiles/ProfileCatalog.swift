import Foundation

/// A profile file under a drivers directory: a printer or a scanner profile.
public protocol DriverProfile: Decodable, Sendable {
    /// The profile's id (`[a-z0-9][a-z0-9._-]{0,63}`), normally its file name without `.json`.
    var id: String { get }
    /// What is wrong with the decoded values, if anything; a profile with problems is not used.
    func problems() -> [String]
}

/// A profile file that could not be used, and why.
public struct ProfileProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// Why it was skipped: the key and what is wrong with it.
    public var problem: String

    /// A problem with the file at `path`.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// The one loader of driver profiles, printers' and scanners' alike, the way fwupd keeps its quirk files behind
/// one loader: every `DIRECTORY/FAMILY/*.json` of each directory in order, and the files directly in a directory
/// (`DIRECTORY/*.json`, the layout of local printer profile directories before families). The first profile with
/// an id wins; a file that cannot be decoded or whose values have problems is skipped and reported, so one broken
/// file never hides the others.
public struct ProfileCatalog<Profile: DriverProfile>: Sendable {
    /// One file the loader read, usable or not.
    public struct Entry: Sendable {
        /// The file.
        public var path: String
        /// The profile, when the file is usable.
        public var profile: Profile?
        /// Why the file is not usable, when it is not.
        public var problem: String?

        /// The id the entry claims: its profile's, or for a broken file the file name's.
        public var id: String { profile?.id ?? fileID }

        /// The file name without `.json`, the id a file is expected to hold.
        public var fileID: String { ((path as NSString).lastPathComponent as NSString).deletingPathExtension }
    }

    /// The usable profiles, the first of each id only, in load order.
    public private(set) var profiles: [Profile]
    /// Files skipped because they are broken.
    public private(set) var problems: [ProfileProblem]
    /// Every file read, in load order (later duplicates of an id included).
    public private(set) var entries: [Entry] = []

    /// A catalog of given profiles (tests, callers that build profiles in code); ``entries`` stays empty.
    public init(profiles: [Profile], problems: [ProfileProblem] = []) {
        self.profiles = profiles
        self.problems = problems
    }

    /// Loads the profiles in `directories`, in order; the first file with an id wins.
    public static func load(from directories: [String]) -> ProfileCatalog {
        var catalog = ProfileCatalog(profiles: [])
        var seen: Set<String> = []
        for directory in directories {
            for path in profileFiles(in: directory) {
                var entry = Entry(path: path)
                do {
                    let profile = try JSONDecoder().decode(Profile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                    let issues = profile.problems()
                    if issues.isEmpty {
                        entry.profile = profile
                    } else {
                        entry.problem = issues.joined(separator: "; ")
                    }
                } catch let error as DecodingError {
                    entry.problem = describe(error)
                } catch {
                    entry.problem = "\(error)"
                }
                catalog.entries.append(entry)
                if let problem = entry.problem {
                    catalog.problems.append(ProfileProblem(path: path, problem: problem))
                } else if let profile = entry.profile, seen.insert(profile.id).inserted {
                    catalog.profiles.append(profile)
                }
            }
        }
        return catalog
    }

    /// The profile files of one directory: `DIRECTORY/*.json`, then `DIRECTORY/FAMILY/*.json`, each sorted.
    public static func profileFiles(in directory: String) -> [String] {
        let manager = FileManager.default
        let entries = ((try? manager.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var flat: [String] = []
        var families: [String] = []
        for entry in entries {
            let path = (directory as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                families.append(path)
            } else if entry.hasSuffix(".json") {
                flat.append(path)
            }
        }
        return flat + families.flatMap { folder -> [String] in
            let files = (try? manager.contentsOfDirectory(atPath: folder)) ?? []
            return files.filter { $0.hasSuffix(".json") }.sorted().map { (folder as NSString).appendingPathComponent($0) }
        }
    }

    /// The profile with `id`.
    public func profile(id: String) -> Profile? { profiles.first { $0.id == id } }

    /// A decoding error as a key and a problem: `missing key match.vendor_id`, `framing.terminator: …`.
    public static func describe(_ error: DecodingError) -> String {
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
