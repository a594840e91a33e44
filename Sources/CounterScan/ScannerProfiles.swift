import CounterProfiles
import Foundation

/// The scanner profiles counterd knows: every `FAMILY/*.json` under the profile directories, read by the
/// loader printer profiles share (``ProfileCatalog``).
public struct ScannerProfiles: Sendable {
    /// A profile file that could not be used, and why (``ProfileProblem``, kept here so users need not import
    /// CounterProfiles).
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// The file.
        public var path: String
        /// Why it was skipped: the key and what is wrong with it.
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
        let catalog = ProfileCatalog<ScannerProfile>.load(from: directories)
        return ScannerProfiles(profiles: catalog.profiles,
                               problems: catalog.problems.map { Problem(path: $0.path, problem: $0.problem) })
    }

    /// The best profile for a device: its VID:PID before a product word; `nil` when none fits.
    public func match(vendorProduct: String, strings: [String]) -> ScannerProfile? {
        profiles.compactMap { profile in profile.matchStrength(vendorProduct: vendorProduct, strings: strings).map { ($0, profile) } }
            .max { $0.0 < $1.0 }?.1
    }

    /// The profile with `id`.
    public func profile(id: String) -> ScannerProfile? { profiles.first { $0.id == id } }
}
