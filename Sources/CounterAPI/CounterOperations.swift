import CounterAPIModels
import CounterCore
import CounterLedger
import CounterSyncModels
import Foundation
import Hummingbird

/// What the local API can ask of the counter. The daemon's redeemer implements it; tests may
/// implement it over a ledger of their own.
public protocol CounterOperations: Sendable {
    /// The shop's time zone, for messages.
    var timeZone: TimeZone { get }
    func redeem(code: String, uses: Int, source: String) async throws -> Verdict
    func check(code: String, uses: Int) async throws -> Verdict
    func void(redemptionID: UUID, reason: String, source: String) async throws -> VoidOutcome
    func history(limit: Int) async throws -> [RedemptionSummary]
    func status() async throws -> StatusResponse
    /// One download and one upload now; `nil` when the counter is not enrolled.
    func syncNow(progress: @escaping @Sendable (DownloadReport) -> Void) async throws -> SyncNowReport?
    /// Whether the counter is enrolled with a hub (sync is possible).
    var isEnrolled: Bool { get }
    /// The CUPS destinations and the one receipts go to.
    func printers() async throws -> PrintersResponse
    /// Prints the test page of a profile.
    func printTest(printer: String?, profile: String?) async throws -> PrintJobResponse
    /// Queues a reprint of a redemption's receipt (its void slip when voided).
    func reprint(redemptionID: UUID) async throws -> ReprintResponse
    /// The ESC/POS bytes of a redemption's receipt.
    func receipt(redemptionID: UUID, reprint: Bool) async throws -> ReceiptBytesResponse
    /// Every scanner and the printer.
    func devices() async throws -> DevicesResponse
    /// Verdicts and device events from now on, for `GET /api/v1/events`.
    func events() async -> AsyncStream<CounterEvent>
    /// The Prometheus text exposition for `GET /metrics`.
    func metrics() async throws -> String
    /// The daemon's own health checks for `counterctl doctor` (`GET /api/v1/diagnostics`).
    func diagnostics(probeHub: Bool) async throws -> DiagnosticsResponse
    /// Upload queue entries in one state (`pending` or `dead`), oldest first.
    func outbox(state: String, limit: Int) async throws -> OutboxListResponse
    /// Puts dead letters back in the upload queue (all of them when `eventIDs` is `nil`).
    func retryOutbox(eventIDs: [String]?) async throws -> OutboxRetryResponse
}

extension CounterOperations {
    public func printers() async throws -> PrintersResponse { throw APIError.printingUnavailable }
    public func printTest(printer: String?, profile: String?) async throws -> PrintJobResponse { throw APIError.printingUnavailable }
    public func reprint(redemptionID: UUID) async throws -> ReprintResponse { throw APIError.printingUnavailable }
    public func receipt(redemptionID: UUID, reprint: Bool) async throws -> ReceiptBytesResponse { throw APIError.printingUnavailable }
    public func devices() async throws -> DevicesResponse {
        DevicesResponse(scanners: [], unmatched: [], usbMonitor: "off", printer: nil)
    }
    public func events() async -> AsyncStream<CounterEvent> { AsyncStream { $0.finish() } }
    public func metrics() async throws -> String { "" }
    public func diagnostics(probeHub: Bool) async throws -> DiagnosticsResponse { DiagnosticsResponse(checks: []) }
}

extension APIError {
    /// Receipts are not available on this counter.
    public static let printingUnavailable = APIError(.serviceUnavailable, code: "printing_off", message: "printing is not set up")
}
