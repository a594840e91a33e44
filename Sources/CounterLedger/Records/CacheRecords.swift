import CounterCore
import Foundation
import GRDB

/// A row of `revocation`.
struct RevocationRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "revocation"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var tokenId: String
    var reason: String
    var revokedAt: Date

    init(_ revocation: Revocation) {
        tokenId = revocation.tokenID.hex
        reason = revocation.reason
        revokedAt = revocation.revokedAt
    }

    var revocation: Revocation? {
        TokenID(hex: tokenId).map { Revocation(tokenID: $0, reason: reason, revokedAt: revokedAt) }
    }
}

/// A row of `signing_key`: the verification keys of signed codes.
struct SigningKeyRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "signing_key"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: Int64
    var publicKey: Data
    var verifyUntil: Date?

    init(_ key: SigningKey) {
        id = Int64(key.id)
        publicKey = Data(key.publicKey)
        verifyUntil = key.verifyUntil
    }

    var signingKey: SigningKey {
        SigningKey(id: UInt32(truncatingIfNeeded: id), publicKey: Array(publicKey), verifyUntil: verifyUntil)
    }
}

/// The single row of `device_state`: who this counter is and its gap-free event sequence.
struct DeviceStateRecord: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "device_state"
    static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    var id: Int64 = 1
    var deviceId: String
    var shopId: String
    /// The sequence number of the last redemption or void; the next one is this + 1.
    var lastSequence: Int64
    /// The server's use counts include this device's events up to this sequence number.
    var serverWatermark: Int64
}
