import CCUPS
import Dispatch
import Foundation

/// counterd's only door to libcups: lists destinations, submits raw jobs and reads their state.
///
/// Every call first checks that the server answers, then does its work on a private serial queue
/// (libcups blocks, and keeps its server, connection and last error per thread), through libcups'
/// own connection: the `cupsCopyDestInfo` family finds the queue's resource only that way.
public struct CUPSClient: Sendable {
    /// The CUPS server: `host:port`, or the path of its domain socket. `nil` uses libcups' own
    /// choice (`CUPS_SERVER`, client.conf, then the local socket).
    public let server: String?
    /// How long to wait for a connection before calling CUPS unavailable.
    public let connectTimeout: Duration

    private static let queue = DispatchQueue(label: "counterd.cups")

    public init(server: String? = nil, connectTimeout: Duration = .seconds(5)) {
        self.server = server
        self.connectTimeout = connectTimeout
    }

    /// Where this client connects, as people write it.
    public var serverDescription: String {
        if let server { return server }
        return Self.queue.sync { String(cString: cupsServer()) }
    }

    /// Every destination CUPS knows, the default one marked.
    public func destinations() async throws -> [CUPSDestination] {
        try await onQueue { http in
            var dests: UnsafeMutablePointer<cups_dest_t>?
            let count = cupsGetDests2(http, &dests)
            defer { cupsFreeDests(count, dests) }
            if count == 0, cupsLastError().rawValue > IPP_STATUS_OK_EVENTS_COMPLETE.rawValue,
               cupsLastError() != IPP_STATUS_ERROR_NOT_FOUND {
                throw CUPSError.lastError()
            }
            return (0..<Int(count)).map { CUPSDestination(dests![$0]) }
        }
    }

    /// The destination CUPS prints to when none is named, if one is set.
    public func defaultDestination() async throws -> String? {
        try await onQueue { http in
            guard let dest = cupsGetNamedDest(http, nil, nil) else { return nil }
            defer { cupsFreeDests(1, dest) }
            return String(cString: dest.pointee.name)
        }
    }

    /// Submits `bytes` as one raw job (no filters: the printer gets exactly these bytes).
    /// - Parameter destination: the queue name, or `nil` for the CUPS default destination.
    /// - Returns: the queue and the job id CUPS gave the job.
    public func submitRaw(_ bytes: [UInt8], to destination: String?, title: String) async throws -> CUPSSubmittedJob {
        let title = Self.safeTitle(title)
        return try await onQueue { http in
            guard let dest = cupsGetNamedDest(http, destination, nil) else {
                if let destination { throw CUPSError(.destinationNotFound, "CUPS has no printer queue named '\(destination)'") }
                throw CUPSError(.destinationNotFound, "CUPS has no default printer and none is configured")
            }
            defer { cupsFreeDests(1, dest) }
            let name = String(cString: dest.pointee.name)
            guard let info = cupsCopyDestInfo(http, dest) else { throw CUPSError.lastError() }
            defer { cupsFreeDestInfo(info) }
            var jobID: Int32 = 0
            let created = cupsCreateDestJob(http, dest, info, &jobID, title, 0, nil)
            guard created.rawValue <= IPP_STATUS_OK_EVENTS_COMPLETE.rawValue, jobID > 0 else {
                throw CUPSError.lastError()
            }
            guard cupsStartDestDocument(http, dest, info, jobID, title, "application/vnd.cups-raw", 0, nil, 1)
                    == HTTP_STATUS_CONTINUE else {
                throw CUPSError.lastError()
            }
            let written = bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { cupsWriteRequestData(http, $0.baseAddress, $0.count) }
            }
            guard written == HTTP_STATUS_CONTINUE else { throw CUPSError.lastError() }
            guard cupsFinishDestDocument(http, dest, info).rawValue <= IPP_STATUS_OK_EVENTS_COMPLETE.rawValue else {
                throw CUPSError.lastError()
            }
            return CUPSSubmittedJob(destination: name, jobID: jobID)
        }
    }

    /// `title` with spaces and control characters turned into `-`: cupsd 2.4.2 (Debian 12) crashes
    /// writing the page log of a job whose name has a space.
    static func safeTitle(_ title: String) -> String {
        String(title.unicodeScalars.map { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F ? "-" : Character($0) })
    }

    /// The state of a job, and the reasons CUPS gives (e.g. `printer-stopped`).
    public func jobState(_ jobID: Int32) async throws -> (state: CUPSJobState, reasons: [String]) {
        try await onQueue { http in
            let request = ippNewRequest(IPP_OP_GET_JOB_ATTRIBUTES)
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_URI, "job-uri", nil, "ipp://localhost/jobs/\(jobID)")
            ippAddString(request, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nil, cupsUser())
            guard let response = cupsDoRequest(http, request, "/jobs/") else { throw CUPSError.lastError() }
            defer { ippDelete(response) }
            if cupsLastError() == IPP_STATUS_ERROR_NOT_FOUND {
                throw CUPSError(.jobNotFound, "CUPS no longer knows job \(jobID)")
            }
            guard let state = ippFindAttribute(response, "job-state", IPP_TAG_ENUM) else {
                throw CUPSError.lastError()
            }
            var reasons: [String] = []
            if let attribute = ippFindAttribute(response, "job-state-reasons", IPP_TAG_KEYWORD) {
                for index in 0..<ippGetCount(attribute) {
                    if let text = ippGetString(attribute, index, nil) { reasons.append(String(cString: text)) }
                }
            }
            return (CUPSJobState(rawValue: ippGetInteger(state, 0)), reasons)
        }
    }

    /// Runs `body` on the CUPS queue with libcups pointed at ``server``; `body` gets
    /// `CUPS_HTTP_DEFAULT` (libcups' connection for this thread).
    private func onQueue<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer?) throws -> T) async throws -> T {
        let server = server
        let milliseconds = Int32(connectTimeout.components.seconds * 1000)
        return try await withCheckedThrowingContinuation { continuation in
            Self.queue.async {
                continuation.resume(with: Result {
                    httpClose(try Self.connect(server: server, milliseconds: milliseconds))
                    cupsSetServer(server)
                    return try body(nil)
                })
            }
        }
    }

    private static func connect(server: String?, milliseconds: Int32) throws -> OpaquePointer {
        var host = server.map { String($0) } ?? String(cString: cupsServer())
        var port = ippPort()
        if !host.hasPrefix("/"), let colon = host.lastIndex(of: ":"), let parsed = Int32(host[host.index(after: colon)...]) {
            port = parsed
            host = String(host[..<colon])
        }
        // httpConnect2 leaves no reliable errno (a refused connection reads as EBADF), so none is shown.
        guard let http = httpConnect2(host, port, nil, AF_UNSPEC, HTTP_ENCRYPTION_IF_REQUESTED, 1, milliseconds, nil) else {
            throw CUPSError(.unavailable, "CUPS is not answering at \(server ?? host); start it with `systemctl start cups`")
        }
        return http
    }
}

/// A job CUPS has accepted.
public struct CUPSSubmittedJob: Sendable, Equatable {
    public let destination: String
    public let jobID: Int32
}
