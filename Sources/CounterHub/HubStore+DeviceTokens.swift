import CounterCore
import Foundation

/// Device token rotation (docs/protocol.md, "Device token rotation"): a device asks for a new token with its current
/// one; the new token waits beside the old until the device first uses it, and only then replaces it. A counter that
/// loses the answer, or crashes before it has saved the new token, keeps working with the old one and simply asks
/// again later.
extension HubStore {
    /// Hands `device` a new bearer token. Its current token stays valid until the new one is first used; asking again
    /// before that replaces the waiting token (only the last one handed out can ever be used).
    public func rotateDeviceToken(of device: HubDevice) throws -> String {
        let secret = Self.newDeviceSecret()
        try database.write { sql in
            guard let row = try sql.row("SELECT revoked_at FROM device WHERE id = ?" + sql.dialect.forUpdate, [device.id]) else {
                throw HubError("not_found", "no device \\(device.id)")
            }
            guard try (row["revoked_at"] as Date?) == nil else {
                throw HubError("device_revoked", "此设备已被停用 / this device was revoked at the hub")
            }
            try sql.execute("UPDATE device SET next_token_hash = ? WHERE id = ?", [Self.tokenHash(secret), device.id])
        }
        return secret
    }

    /// The device used its waiting token: it becomes the device's token and the old one stops working. A request
    /// racing with another one of the same device changes nothing the second time.
    func promoteNextToken(_ hash: String, of device: HubDevice, now: Date) throws {
        try database.write { sql in
            try sql.execute("""
                UPDATE device SET token_hash = next_token_hash, next_token_hash = NULL, token_issued_at = ?
                WHERE id = ? AND next_token_hash = ?
                """, [now, device.id, hash])
        }
    }

    /// A new device bearer token: `cdt_` and 32 random bytes in hex. Stored only as ``tokenHash(_:)``.
    static func newDeviceSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        return "cdt_" + Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
