import CounterCore
import Crypto
import Foundation

extension HubStore {
    /// How long a new signing key signs codes before `keys rotate` is due.
    static let signingPeriod: TimeInterval = 180 * 86_400

    /// Creates the root key and the first signing key (and key set) on first use.
    static func ensureKeys(_ sql: any HubSQL, now: Date) throws {
        if try sql.value(Int.self, "SELECT COUNT(*) FROM hub_key WHERE role = 'root'") == 0 {
            let root = Curve25519.Signing.PrivateKey()
            try sql.execute("INSERT INTO hub_key (id, role, private_key, public_key, not_before) VALUES (0, 'root', ?, ?, ?)",
                            [root.rawRepresentation, root.publicKey.rawRepresentation, now])
        }
        if try sql.value(Int.self, "SELECT COUNT(*) FROM hub_key WHERE role = 'signing'") == 0 {
            try addSigningKey(sql, now: now)
        }
    }

    /// Adds a signing key valid from now and publishes a new key set version.
    static func addSigningKey(_ sql: any HubSQL, now: Date) throws {
        let key = Curve25519.Signing.PrivateKey()
        let id = (try sql.value(Int64.self, "SELECT MAX(id) FROM hub_key WHERE role = 'signing'") ?? 0) + 1
        try sql.execute("""
            INSERT INTO hub_key (id, role, private_key, public_key, not_before, sign_until) VALUES (?, 'signing', ?, ?, ?, ?)
            """, [id, key.rawRepresentation, key.publicKey.rawRepresentation, now, now + signingPeriod])
        try publishKeySet(sql, now: now)
    }

    /// Signs the current signing keys with the root key as the next key set version.
    static func publishKeySet(_ sql: any HubSQL, now: Date) throws {
        let keys = try sql.rows("SELECT * FROM hub_key WHERE role = 'signing' ORDER BY id", []).map { row in
            KeySet.Key(keyId: UInt32(truncatingIfNeeded: try row["id"] as Int64), publicKey: Hex.encode(try row["public_key"] as Data),
                       notBefore: try row["not_before"], signUntil: try row["sign_until"] ?? now, verifyUntil: try row["verify_until"])
        }
        let version = (try sql.value(Int.self, "SELECT key_set_version FROM hub_state") ?? 0) + 1
        let (payload, signature) = try KeySet(version: version, issuedAt: now, keys: keys).signed(with: try rootKey(sql))
        try sql.execute("INSERT INTO key_set (version, payload, signature) VALUES (?, ?, ?)",
                        [version, Data(payload), Data(signature)])
        let position = try nextPosition(sql, for: .everyShop)
        try sql.execute("UPDATE hub_state SET key_set_version = ?, key_set_position = ? WHERE id = 1", [version, position])
    }

    static func rootKey(_ sql: any HubSQL) throws -> Curve25519.Signing.PrivateKey {
        let raw = try sql.value(Data.self, "SELECT private_key FROM hub_key WHERE role = 'root'") ?? Data()
        return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// The signing key codes are signed with now: the newest key still inside its signing period.
    static func currentSigningKey(_ sql: any HubSQL, now: Date) throws -> (id: UInt32, key: Curve25519.Signing.PrivateKey) {
        guard let row = try sql.row("""
            SELECT id, private_key FROM hub_key WHERE role = 'signing' AND (sign_until IS NULL OR sign_until > ?)
            ORDER BY id DESC LIMIT 1
            """, [now]) else {
            throw HubError("no_signing_key", "every signing key is past its signing period; run `counter-hub keys rotate`")
        }
        return (UInt32(truncatingIfNeeded: try row["id"] as Int64),
                try Curve25519.Signing.PrivateKey(rawRepresentation: try row["private_key"] as Data))
    }

    /// The pinned root public key, hex.
    public func rootPublicKeyHex() throws -> String {
        try database.read { sql in Hex.encode(try Self.rootKey(sql).publicKey.rawRepresentation) }
    }

    /// Retires the current signing key (it keeps verifying until every code it signed has expired)
    /// and starts a new one. Returns the new key id and the key set version.
    public func rotateKeys(now: Date = Date()) throws -> (keyID: UInt32, keySetVersion: Int) {
        try database.write { sql in
            // One rotation at a time, whichever process runs it.
            _ = try sql.value(Int64.self, "SELECT key_set_version FROM hub_state WHERE id = 1" + sql.dialect.forUpdate)
            // The newest key, even if its signing period is over (a hub left 180 days without rotation).
            guard let currentID = try sql.value(Int64.self, "SELECT MAX(id) FROM hub_key WHERE role = 'signing'") else {
                throw HubError("no_signing_key", "the hub has no signing key")
            }
            // Keep verifying the old key as long as a code it signed can be valid; forever if one has no end.
            let openEnded = try sql.value(Int.self, """
                SELECT COUNT(*) FROM token WHERE key_id = ? AND valid_until IS NULL AND NOT deleted
                """, [currentID]) ?? 0
            let lastExpiry = try sql.value(Date.self, "SELECT MAX(valid_until) FROM token WHERE key_id = ?", [currentID])
            let verifyUntil: Date? = openEnded > 0 ? nil : max(lastExpiry ?? now, now)
            try sql.execute("UPDATE hub_key SET sign_until = ?, verify_until = ? WHERE id = ?", [now, verifyUntil, currentID])
            try Self.addSigningKey(sql, now: now)
            let id = try sql.value(Int64.self, "SELECT MAX(id) FROM hub_key WHERE role = 'signing'") ?? 0
            let version = try sql.value(Int.self, "SELECT key_set_version FROM hub_state") ?? 0
            return (UInt32(truncatingIfNeeded: id), version)
        }
    }

    /// The latest key set as it travels in the feed.
    static func latestKeySet(_ sql: any HubSQL) throws -> (payload: Data, signature: Data)? {
        try sql.row("SELECT payload, signature FROM key_set ORDER BY version DESC LIMIT 1").map {
            (try $0["payload"], try $0["signature"])
        }
    }
}
