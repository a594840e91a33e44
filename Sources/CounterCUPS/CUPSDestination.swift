import CCUPS

/// A CUPS printer queue as `counterctl printers` shows it.
public struct CUPSDestination: Sendable, Equatable, Codable {
    public var name: String
    public var isDefault: Bool
    /// `idle`, `processing` or `stopped`.
    public var state: String
    /// CUPS' reasons, e.g. `offline-report`, `paused`; empty or `none` when all is well.
    public var stateReasons: [String]
    public var acceptingJobs: Bool
    public var deviceURI: String?
    public var info: String?

    public init(name: String, isDefault: Bool, state: String, stateReasons: [String], acceptingJobs: Bool,
                deviceURI: String?, info: String?) {
        self.name = name
        self.isDefault = isDefault
        self.state = state
        self.stateReasons = stateReasons
        self.acceptingJobs = acceptingJobs
        self.deviceURI = deviceURI
        self.info = info
    }

    init(_ dest: cups_dest_t) {
        func option(_ key: String) -> String? {
            cupsGetOption(key, dest.num_options, dest.options).map { String(cString: $0) }
        }
        let state: String = switch option("printer-state") {
        case "3": "idle"
        case "4": "processing"
        case "5": "stopped"
        case let other: other ?? "unknown"
        }
        self.init(name: String(cString: dest.name), isDefault: dest.is_default != 0, state: state,
                  stateReasons: (option("printer-state-reasons") ?? "").split(separator: ",").map(String.init)
                      .filter { $0 != "none" },
                  acceptingJobs: option("printer-is-accepting-jobs") != "false",
                  deviceURI: option("device-uri"), info: option("printer-info"))
    }
}

/// The IPP job states (RFC 8011 §5.3.7).
public enum CUPSJobState: Sendable, Equatable {
    case pending, held, processing, stopped, canceled, aborted, completed
    case unknown(Int32)

    init(rawValue: Int32) {
        switch rawValue {
        case 3: self = .pending
        case 4: self = .held
        case 5: self = .processing
        case 6: self = .stopped
        case 7: self = .canceled
        case 8: self = .aborted
        case 9: self = .completed
        default: self = .unknown(rawValue)
        }
    }

    /// Whether the job has reached an end state.
    public var isFinal: Bool {
        switch self {
        case .canceled, .aborted, .completed: true
        default: false
        }
    }

    public var name: String {
        switch self {
        case .pending: "pending"
        case .held: "held"
        case .processing: "processing"
        case .stopped: "stopped"
        case .canceled: "canceled"
        case .aborted: "aborted"
        case .completed: "completed"
        case .unknown(let value): "state-\(value)"
        }
    }
}
