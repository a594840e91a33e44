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
    /// Who redeemed; `nil` for nobody signed in, or a shop without staff.
    var staffId: String?
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
    /// Who voided; `nil` for nobody signed in, or a shop without staff.
    var staffId: String?
    /// The manager who approved it (授权); `nil` when nobody had to.
    var approvedBy: String?
}

/// What an outbox entry carries.
public enum OutboxKind: String, Sendable, Codable {
    case redemption, void, rejection
    /// A shift or day close, for the hub's reconciliation (对账).
    case shiftClose = "shift_close"

    /// Upload order: redemptions and voids (0) before rejected scans (1), and shift closes last (2), so that the hub
    /// has the events a close counts before it reconciles it.
    var priority: Int {
        switch self {
        case .redemption, .void: 0
        case .rejection: 1
        case .shiftClose: 2
        }
    }
}
