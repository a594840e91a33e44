import Foundation

/// What one download run did.
public struct DownloadReport: Sendable, Equatable, Codable {
    public var pages = 0
    public var tokens = 0
    public var tombstones = 0
    public var revocations = 0
    public var campaigns = 0
    public var resync = false
    public var position: Int64 = 0
    public var upToDate = false

    public init() {}
}

/// What one upload run did.
public struct UploadReport: Sendable, Equatable, Codable {
    public var batches = 0
    public var accepted = 0
    public var duplicates = 0
    public var conflicts = 0
    public var rejected = 0
    public var acknowledgedSequence: Int64 = 0

    public init() {}

    public var delivered: Int { accepted + duplicates + conflicts }
}

/// What `counterctl sync` reports: one download and one upload, run now.
public struct SyncNowReport: Sendable, Codable, Equatable {
    public var download: DownloadReport?
    public var downloadError: String?
    public var upload: UploadReport?
    public var uploadError: String?

    public init() {}

    public var succeeded: Bool { downloadError == nil && uploadError == nil }
}


/// One line of `counterctl sync --json` (and of `POST /api/v1/sync` with `Accept: application/x-ndjson`):
/// download progress while pages arrive, then the final report.
public struct SyncProgressLine: Sendable, Codable, Equatable {
    /// `download` for progress, `done` for the final line.
    public var event: String
    public var download: DownloadReport?
    public var report: SyncNowReport?

    public init(event: String, download: DownloadReport? = nil, report: SyncNowReport? = nil) {
        self.event = event
        self.download = download
        self.report = report
    }
}
