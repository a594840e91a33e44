import CounterAPIModels
import CounterCore
import CounterHTTP
import CounterLedger
import CounterReceipts
import CounterScan
import Foundation
import Hummingbird

/// `GET /metrics`: the Prometheus text exposition (format 0.0.4), with queue, sync, printer and scanner state read now.
struct MetricsController: Controller {
    let ledger: Ledger
    let metrics: DaemonMetrics
    let isEnrolled: Bool
    let receipts: ReceiptService
    let scanners: ScannerRegistry

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: try await exposition())))
        }
    }

    func exposition() async throws -> String {
        let outbox = try await ledger.outboxCounts()
        var age: Int?
        if isEnrolled, let last = try await ledger.syncState().lastCompleteSyncAt {
            age = Int(saturating: Date().timeIntervalSince(last))
        }
        var receiptJobs: [String: Int] = [:]
        if receipts.configuration.enabled {
            let printing = try await receipts.status()
            receiptJobs = ["pending": printing.pending, "submitted": printing.submitted, "printed": printing.printed,
                           "failed": printing.failed]
        }
        var scannerStates: [String: Int] = [:]
        for scanner in await scanners.all() { scannerStates[scanner.state.rawValue, default: 0] += 1 }
        return metrics.exposition(.init(uploadQueue: outbox.pending, deadLetters: outbox.dead, lastSyncAgeSeconds: age,
                                        enrolled: isEnrolled, receipts: receiptJobs, scanners: scannerStates))
    }
}
