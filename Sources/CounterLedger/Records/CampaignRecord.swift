import CounterCore
import Foundation
import GRDB

/// A row of `campaign`.
struct CampaignRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "campaign"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: String
    var title: String
    var product: String
    var faceValueFen: Int
    var shopRewardFen: Int?
    var activeFrom: Date?
    var activeUntil: Date?
    var offlinePolicy: String
    var status: String
    var training: Bool

    /// Decodes a row by column name (faster than the Codable path on the redeem hot path).
    init(row: Row) throws {
        id = row["id"]
        title = row["title"]
        product = row["product"]
        faceValueFen = row["face_value_fen"]
        shopRewardFen = row["shop_reward_fen"]
        activeFrom = row["active_from"]
        activeUntil = row["active_until"]
        offlinePolicy = row["offline_policy"]
        status = row["status"]
        training = row["training"]
    }

    init(_ campaign: Campaign) {
        id = campaign.id
        title = campaign.title
        product = campaign.product
        faceValueFen = campaign.faceValue.fen
        shopRewardFen = campaign.shopReward?.fen
        activeFrom = campaign.activeFrom
        activeUntil = campaign.activeUntil
        offlinePolicy = campaign.offlinePolicy.rawValue
        status = campaign.status.rawValue
        training = campaign.training
    }

    var campaign: Campaign {
        Campaign(id: id, title: title, product: product, faceValue: Money(fen: faceValueFen),
                 shopReward: shopRewardFen.map(Money.init(fen:)), activeFrom: activeFrom, activeUntil: activeUntil,
                 offlinePolicy: Campaign.OfflinePolicy(rawValue: offlinePolicy) ?? .cacheOnly,
                 status: Campaign.Status(rawValue: status) ?? .paused, training: training)
    }
}
