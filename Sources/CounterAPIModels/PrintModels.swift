import Foundation

/// The receipt printer in `GET /api/v1/status`.
public struct PrintingStatus: Codable, Sendable, Equatable {
    /// The configured CUPS queue; `nil` means the CUPS default destination.
    public var destination: String?
    public var profile: String
    public var cupsServer: String
    public var pending: Int
    public var submitted: Int
    public var printed: Int
    public var failed: Int
    public var oldestPendingAt: Date?
    public var lastError: String?

    public init(destination: String?, profile: String, cupsServer: String, pending: Int, submitted: Int, printed: Int,
                failed: Int, oldestPendingAt: Date?, lastError: String?) {
        self.destination = destination
        self.profile = profile
        self.cupsServer = cupsServer
        self.pending = pending
        self.submitted = submitted
        self.printed = printed
        self.failed = failed
        self.oldestPendingAt = oldestPendingAt
        self.lastError = lastError
    }
}

/// `GET /api/v1/printers`: the CUPS destinations and the one counterd prints to.
public struct PrintersResponse: Codable, Sendable, Equatable {
    public struct Destination: Codable, Sendable, Equatable {
        public var name: String
        public var isDefault: Bool
        public var state: String
        public var stateReasons: [String]
        public var acceptingJobs: Bool
        public var deviceUri: String?
        public var info: String?

        public init(name: String, isDefault: Bool, state: String, stateReasons: [String], acceptingJobs: Bool,
                    deviceUri: String?, info: String?) {
            self.name = name
            self.isDefault = isDefault
            self.state = state
            self.stateReasons = stateReasons
            self.acceptingJobs = acceptingJobs
            self.deviceUri = deviceUri
            self.info = info
        }
    }

    public var printingEnabled: Bool
    public var cupsServer: String
    /// The queue named in the configuration, if any.
    public var configured: String?
    /// The queue receipts go to now (the configured one, else the CUPS default); `nil` when none.
    public var used: String?
    public var profile: String
    public var destinations: [Destination]
    /// Whether CUPS answered (`false`: the scheduler could not be reached); `nil` from an older counterd.
    public var cupsReachable: Bool?
    /// Why CUPS could not be asked, when it could not.
    public var error: String?

    public init(printingEnabled: Bool, cupsServer: String, configured: String?, used: String?, profile: String,
                destinations: [Destination], error: String?) {
        self.printingEnabled = printingEnabled
        self.cupsServer = cupsServer
        self.configured = configured
        self.used = used
        self.profile = profile
        self.destinations = destinations
        self.error = error
    }
}

/// `POST /api/v1/print-test` body.
public struct PrintTestRequest: Codable, Sendable {
    public var printer: String?
    public var profile: String?

    public init(printer: String? = nil, profile: String? = nil) {
        self.printer = printer
        self.profile = profile
    }
}

/// A job handed to CUPS (print test).
public struct PrintJobResponse: Codable, Sendable, Equatable {
    public var printer: String
    public var jobId: Int
    public var profile: String

    public init(printer: String, jobId: Int, profile: String) {
        self.printer = printer
        self.jobId = jobId
        self.profile = profile
    }
}

/// `POST /api/v1/receipts/{id}/reprint`: the reprint is queued and prints as soon as the printer can.
public struct ReprintResponse: Codable, Sendable, Equatable {
    public var redemptionId: String
    public var receiptJobId: Int64
    public var kind: String

    public init(redemptionId: String, receiptJobId: Int64, kind: String) {
        self.redemptionId = redemptionId
        self.receiptJobId = receiptJobId
        self.kind = kind
    }
}

/// `GET /api/v1/receipts/{id}`: the exact ESC/POS bytes of a receipt, for the preview.
public struct ReceiptBytesResponse: Codable, Sendable, Equatable {
    public var redemptionId: String
    public var kind: String
    public var profile: String
    public var paperWidthDots: Int
    /// The bytes as sent to the printer, base64.
    public var escpos: String

    public init(redemptionId: String, kind: String, profile: String, paperWidthDots: Int, escpos: String) {
        self.redemptionId = redemptionId
        self.kind = kind
        self.profile = profile
        self.paperWidthDots = paperWidthDots
        self.escpos = escpos
    }
}
