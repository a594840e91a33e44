import CCUPS

/// Why a CUPS operation failed, in words a technician can act on.
public struct CUPSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, for messages and API error codes (`cups_<kind>`).
    public enum Kind: String, Sendable {
        /// CUPS cannot be reached (not running, wrong server, socket permission).
        case unavailable
        /// The named queue does not exist, or there is no default queue.
        case destinationNotFound
        /// The queue exists but refuses jobs (`cupsreject` / disabled).
        case notAccepting
        /// CUPS does not know the job (purged from its history).
        case jobNotFound
        /// Any other refusal; the message carries CUPS' own words.
        case refused
    }

    public let kind: Kind
    public let message: String
    /// The IPP status, when CUPS answered with one. The corresponding C value is `ipp_status_t`.
    public let ippStatus: Int32?

    public init(_ kind: Kind, _ message: String, ippStatus: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.ippStatus = ippStatus
    }

    public var description: String { message }

    /// Whether trying again later may succeed (CUPS down, queue missing or paused right now).
    public var isTransient: Bool { kind != .jobNotFound }

    /// The error libcups recorded for this thread's last call.
    static func lastError() -> CUPSError {
        let status = cupsLastError()
        let text = cupsLastErrorString().map { String(cString: $0) } ?? "unknown error"
        let lostConnection = status == IPP_STATUS_ERROR_INTERNAL && text.lowercased().contains("connect")
        if status == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE || lostConnection {
            return CUPSError(.unavailable, "CUPS is not answering (\(text)); start it with `systemctl start cups`",
                             ippStatus: Int32(status.rawValue))
        }
        switch status {
        case IPP_STATUS_ERROR_NOT_FOUND:
            return CUPSError(.destinationNotFound, "CUPS does not know that printer (\(text)); see `counterctl printers`",
                             ippStatus: Int32(status.rawValue))
        case IPP_STATUS_ERROR_NOT_ACCEPTING_JOBS:
            return CUPSError(.notAccepting, "the printer queue is not accepting jobs (\(text)); run `cupsaccept QUEUE` and `cupsenable QUEUE`",
                             ippStatus: Int32(status.rawValue))
        default:
            return CUPSError(.refused, "CUPS refused the request: \(text)", ippStatus: Int32(status.rawValue))
        }
    }
}
