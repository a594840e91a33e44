import Foundation
import GRDB

/// A row of `receipt_job`: one receipt to print for a redemption or a void, and where it stands.
struct ReceiptJobRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "receipt_job"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: Int64?
    var kind: String
    var itemId: String
    var redemptionId: String
    var reprint: Bool
    var usesLeft: Int?
    var state: String
    var attempts: Int
    var nextAttemptAt: Date
    var printer: String?
    var cupsJobId: Int32?
    var lastError: String?
    var createdAt: Date
    var submittedAt: Date?
    var finishedAt: Date?

    var job: ReceiptJob {
        ReceiptJob(id: id ?? 0, kind: ReceiptJob.Kind(rawValue: kind) ?? .redemption, itemID: itemId,
                   redemptionID: redemptionId, isReprint: reprint, usesLeft: usesLeft,
                   state: ReceiptJob.State(rawValue: state) ?? .pending, attempts: attempts, nextAttemptAt: nextAttemptAt,
                   printer: printer, cupsJobID: cupsJobId, lastError: lastError, createdAt: createdAt)
    }
}
