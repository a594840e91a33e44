import CounterCore
import Foundation
import GRDB

/// A row of `redemption`: one accepted scan, taking one or more uses of a token.
struct RedemptionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "redemption"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    enum Columns {
        static let tokenId = Column("token_id")
        static let redeemedAt = Column("redeemed_at")
        static let deviceSequence = Column("device_sequence")
    }

    var id: String
    var deviceSequence: Int64
    var tokenId: String
    var campaignId: String
    var shopId: String
    var deviceId: String
    var uses: Int
    var codeLast4: String
    var via: String
    var source: String
    var redeemedAt: Date
}

/// A row of `void`: a cashier's cancellation of one of this device's redemptions.
struct VoidRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "void"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: String
    var deviceSequence: Int64
    var redemptionId: String
    var reason: String
    var source: String
    var voidedAt: Date
}

/// A row of `rejection`: a scan that was refused, kept for fraud analysis.
struct RejectionRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "rejection"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: String
    var codeHash: Data?
    var reason: String
    var tokenId: String?
    var campaignId: String?
    var detail: String?
    var source: String
    var scannedAt: Date
}

/// A row of `outbox`: an event waiting for upload to the central engine.
struct OutboxRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "outbox"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    /// Redemptions and voids go first; rejections are uploaded when nothing else waits.
    enum Priority: Int { case events = 0, rejections = 1 }

    var id: Int64?
    var kind: String
    var itemId: String
    var priority: Int
    var state: String
    var attempts: Int
    var lastError: String?
    var createdAt: Date
}

/// What an outbox entry carries.
public enum OutboxKind: String, Sendable, Codable {
    case redemption, void, rejection
}
