import CounterAPIModels
import CounterCore
import CounterLedger
import CounterSyncModels
import Foundation

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
}
