import CounterCore
import Crypto
import Foundation
import GRDB

/// An enrolled device, as found by its bearer token.
public struct HubDevice: Sendable, Equatable {
    public var id: String
    public var shopID: String
}

extension HubStore {
    /// Exchanges a one-time enrollment code for a device and its bearer token.
    public func enroll(code: String, deviceName: String?, now: Date = Date()) throws -> (device: HubDevice, token: String) {
        guard let hash = try? CanonicalCode(code).hash.hex else {
            throw HubError("enrollment_code_invalid", "the enrollment code is unknown, expired or already used")
        }
        return try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT shop_id FROM enrollment_code WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?
                """, arguments: [hash, now]) else {
                throw HubError("enrollment_code_invalid", "the enrollment code is unknown, expired or already used")
            }
            try db.execute(sql: "UPDATE enrollment_code SET used_at = ? WHERE code_hash = ?", arguments: [now, hash])
            let shop: String = row["shop_id"]
            let deviceID = "dev-" + String(UUIDv7.make(now: now).lowercasedString.suffix(12))
            var generator = SystemRandomNumberGenerator()
            let secret = "cdt_" + Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try db.execute(sql: "INSERT INTO device (id, shop_id, name, token_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [deviceID, shop, deviceName.map { String($0.prefix(64)) }, Self.tokenHash(secret), now])
            return (HubDevice(id: deviceID, shopID: shop), secret)
        }
    }

    /// The device a bearer token belongs to, or `nil`.
    public func device(bearer token: String) throws -> HubDevice? {
        try writer.read { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, shop_id FROM device WHERE token_hash = ?"),
                             arguments: [Self.tokenHash(token)])
                .map { HubDevice(id: $0["id"], shopID: $0["shop_id"]) }
        }
    }

    /// Device tokens are stored only as SHA-256.
    static func tokenHash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }
}
