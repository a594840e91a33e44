import CounterCore
import Foundation

/// An admin credential as `counter-hub admin-token list` shows it (never the token itself).
public struct AdminTokenSummary: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var createdAt: Date
    public var revokedAt: Date?
}

extension HubStore {
    /// Makes an admin credential for the admin API (the commission engine's export). The token is returned once
    /// and stored only as its SHA-256.
    public func createAdminToken(name: String, now: Date = Date()) throws -> (id: String, token: String) {
        guard (1...64).contains(name.unicodeScalars.count) else { throw HubError("invalid_name", "the name must be 1 to 64 characters") }
        var generator = SystemRandomNumberGenerator()
        let token = "cha_" + Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let id = "adm-" + String(UUIDv7.make(now: now).lowercasedString.suffix(12))
        try database.write { sql in
            try sql.execute("INSERT INTO admin_token (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                            [id, name, Self.tokenHash(token), now])
        }
        return (id, token)
    }

    /// Whether a bearer token is a valid (not revoked) admin credential.
    public func isAdmin(bearer token: String) throws -> Bool {
        try database.read { sql in
            try sql.value(Int.self, "SELECT COUNT(*) FROM admin_token WHERE token_hash = ? AND revoked_at IS NULL",
                          [Self.tokenHash(token)]) == 1
        }
    }

    public func adminTokens() throws -> [AdminTokenSummary] {
        try database.read { sql in
            try sql.rows("SELECT id, name, created_at, revoked_at FROM admin_token ORDER BY created_at, id", []).map {
                AdminTokenSummary(id: try $0["id"], name: try $0["name"], createdAt: try $0["created_at"], revokedAt: try $0["revoked_at"])
            }
        }
    }

    public func revokeAdminToken(_ id: String, now: Date = Date()) throws {
        try database.write { sql in
            guard try sql.execute("UPDATE admin_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now, id]) == 1 else {
                throw HubError("not_found", "no admin token \(id) that is not revoked (see `counter-hub admin-token list`)")
            }
        }
    }
}
