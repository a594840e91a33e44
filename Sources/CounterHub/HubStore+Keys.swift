import CounterCore
import Crypto
import Foundation
import GRDB

extension HubStore {
    /// How long a new signing key signs codes before `keys rotate` is due.
    static let signingPeriod: TimeInterval = 180 * 86_400

    /// Creates the root key and the first signing key (and key set) on first use.
    static func ensureKeys(_ db: Database, now: Date) throws {
        if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hub_key WHERE role = 'root'") == 0 {
            let root = Curve25519.Signing.PrivateKey()
            try db.execute(sql: "INSERT INTO hub_key (id, role, private_key, public_key, not_before) VALUES (0, 'root', ?, ?, ?)",
                           arguments: [root.rawRepresentation, root.publicKey.rawRepresentation, now])
        }
        if try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hub_key WHERE role = 'signing'") == 0 {
            try addSigningKey(db, now: now)
        }
    }

    /// Adds a signing key valid from now and publishes a new key set version.
    static func addSigningKey(_ db: Database, now: Date) throws {
        let key = Curve25519.Signing.PrivateKey()
        let id = (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM hub_key WHERE role = 'signing'") ?? 0) + 1
        try db.execute(sql: """
            INSERT INTO hub_key (id, role, private_key, public_key, not_before, sign_until) VALUES (?, 'signing', ?, ?, ?, ?)
            """, arguments: [id, key.rawRepresentation, key.publicKey.rawRepresentation, now, now + signingPeriod])
        try publishKeySet(db, now: now)
    }

    /// Signs the current signing keys with the root key as the next key set version.
    static func publishKeySet(_ db: Database, now: Date) throws {
        let keys = try Row.fetchAll(db, sql: "SELECT * FROM hub_key WHERE role = 'signing' ORDER BY id").map { row in
            KeySet.Key(keyId: UInt32(row["id"] as Int64), publicKey: Hex.encode(row["public_key"] as Data),
                       notBefore: row["not_before"], signUntil: row["sign_until"] ?? now, verifyUntil: row["verify_until"])
        }
        let version = (try Int.fetchOne(db, sql: "SELECT key_set_version FROM hub_state") ?? 0) + 1
        let (payload, signature) = try KeySet(version: version, issuedAt: now, keys: keys).signed(with: try rootKey(db))
        try db.execute(sql: "INSERT INTO key_set (version, payload, signature) VALUES (?, ?, ?)",
                       arguments: [version, Data(payload), Data(signature)])
        let position = try nextPosition(db)
        try db.execute(sql: "UPDATE hub_state SET key_set_version = ?, key_set_position = ? WHERE id = 1",
                       arguments: [version, position])
    }

    static func rootKey(_ db: Database) throws -> Curve25519.Signing.PrivateKey {
        let raw = try Data.fetchOne(db, sql: "SELECT private_key FROM hub_key WHERE role = 'root'") ?? Data()
        return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// The signing key codes are signed with now: the newest key still inside its signing period.
    static func currentSigningKey(_ db: Database, now: Date) throws -> (id: UInt32, key: Curve25519.Signing.PrivateKey) {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT id, private_key FROM hub_key WHERE role = 'signing' AND (sign_until IS NULL OR sign_until > ?)
            ORDER BY id DESC LIMIT 1
            """, arguments: [now]) else {
            throw HubError("no_signing_key", "every signing key is past its signing period; run `counter-hub keys rotate`")
        }
        return (UInt32(row["id"] as Int64), try Curve25519.Signing.PrivateKey(rawRepresentation: row["private_key"] as Data))
    }

    /// The pinned root public key, hex.
    public func rootPublicKeyHex() throws -> String {
        try writer.read { db in Hex.encode(try Self.rootKey(db).publicKey.rawRepresentation) }
    }

    /// Retires the current signing key (it keeps verifying until every code it signed has expired)
    /// and starts a new one. Returns the new key id and the key set version.
    public func rotateKeys(now: Date = Date()) throws -> (keyID: UInt32, keySetVersion: Int) {
        try writer.write { db in
            // The newest key, even if its signing period is over (a hub left 180 days without rotation).
            guard let newest = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM hub_key WHERE role = 'signing'") else {
                throw HubError("no_signing_key", "the hub has no signing key")
            }
            let currentID = newest
            // Keep verifying the old key as long as a code it signed can be valid; forever if one has no end.
            let openEnded = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM token WHERE key_id = ? AND valid_until IS NULL AND deleted = 0
                """, arguments: [currentID]) ?? 0
            let lastExpiry = try Date.fetchOne(db, sql: "SELECT MAX(valid_until) FROM token WHERE key_id = ?",
                                               arguments: [currentID])
            let verifyUntil: Date? = openEnded > 0 ? nil : max(lastExpiry ?? now, now)
            try db.execute(sql: "UPDATE hub_key SET sign_until = ?, verify_until = ? WHERE id = ?",
                           arguments: [now, verifyUntil, currentID])
            try Self.addSigningKey(db, now: now)
            let id = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM hub_key WHERE role = 'signing'") ?? 0
            let version = try Int.fetchOne(db, sql: "SELECT key_set_version FROM hub_state") ?? 0
            return (UInt32(id), version)
        }
    }

    /// The latest key set as it travels in the feed.
    static func latestKeySet(_ db: Database) throws -> (payload: Data, signature: Data)? {
        try Row.fetchOne(db, sql: "SELECT payload, signature FROM key_set ORDER BY version DESC LIMIT 1")
            .map { ($0["payload"], $0["signature"]) }
    }
}
