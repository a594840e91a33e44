import CounterCore
import Crypto
import Foundation

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
        return try database.write { sql in
            // One statement finds and uses the code, so two enrollments racing with one code make one device.
            guard let shop = try sql.value(String.self, """
                UPDATE enrollment_code SET used_at = ?1 WHERE code_hash = ?2 AND used_at IS NULL AND expires_at > ?1
                RETURNING shop_id
                """, [now, hash]) else {
                throw HubError("enrollment_code_invalid", "the enrollment code is unknown, expired or already used")
            }
            let deviceID = "dev-" + String(UUIDv7.make(now: now).lowercasedString.suffix(12))
            let secret = Self.newDeviceSecret()
            try sql.execute("""
                INSERT INTO device (id, shop_id, name, token_hash, created_at, token_issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                """, [deviceID, shop, deviceName.map { String($0.prefix(64)) }, Self.tokenHash(secret), now])
            return (HubDevice(id: deviceID, shopID: shop), secret)
        }
    }

    /// The device a bearer token belongs to, or `nil`. A revoked device's token throws
    /// ``HubError`` `device_revoked`: it is refused at once, on every request. The first use of a token handed out
    /// by ``rotateDeviceToken(of:)`` makes it the device's token and retires the old one.
    public func device(bearer token: String, now: Date = Date()) throws -> HubDevice? {
        let hash = Self.tokenHash(token)
        let found = try database.read { sql -> (device: HubDevice, isNext: Bool)? in
            guard let row = try sql.row("SELECT id, shop_id, revoked_at, next_token_hash FROM device WHERE token_hash = ?1 OR next_token_hash = ?1",
                                        [hash]) else { return nil }
            guard try (row["revoked_at"] as Date?) == nil else {
                throw HubError("device_revoked", "此设备已被停用 / this device was revoked at the hub")
            }
            return (HubDevice(id: try row["id"], shopID: try row["shop_id"]), try (row["next_token_hash"] as String?) == hash)
        }
        guard let found else { return nil }
        if found.isNext { try promoteNextToken(hash, of: found.device, now: now) }
        return found.device
    }

    /// Revokes a device: its token is refused from now on, on feed and upload. Events it delivered stay.
    /// Revoking a revoked device is an error, so a typo in the id never passes silently.
    public func revokeDevice(_ id: String, reason: String, now: Date = Date()) throws {
        try database.write { sql in
            guard let row = try sql.row("SELECT revoked_at FROM device WHERE id = ?" + sql.dialect.forUpdate, [id]) else {
                throw HubError("not_found", "no device \(id) (see `counter-hub device list`)")
            }
            guard try (row["revoked_at"] as Date?) == nil else { throw HubError("exists", "device \(id) is already revoked") }
            try sql.execute("UPDATE device SET revoked_at = ?, revoked_reason = ? WHERE id = ?", [now, String(reason.prefix(200)), id])
        }
    }

    /// How often a device's feed reads are written down (its "last sync"): at most once a minute each, so a
    /// fleet polling the feed costs the database a write per device per minute, not one per request.
    static let feedReadRecordInterval: TimeInterval = 60

    /// Notes that a device read the feed (`counter-hub device list`, last sync).
    public func noteFeedRead(by device: HubDevice, now: Date = Date()) throws {
        try database.write { sql in
            try sql.execute("""
                UPDATE device SET last_feed_at = ?1 WHERE id = ?2 AND (last_feed_at IS NULL OR last_feed_at <= ?3)
                """, [now, device.id, now.addingTimeInterval(-Self.feedReadRecordInterval)])
        }
    }

    /// Notes what a device said of itself with an upload: its clock and its backlog, each only when it is
    /// within the contract's range (hostile or broken values are dropped, never stored).
    static func noteUploadHealth(of device: HubDevice, sentAt: Date?, backlog: Int64?, now: Date, _ sql: any HubSQL) throws {
        if let sentAt {
            let offset = sentAt.timeIntervalSince(now)
            if offset.isFinite, abs(offset) <= 10 * 365 * 86_400 {
                try sql.execute("UPDATE device SET clock_offset_seconds = ?, clock_offset_at = ? WHERE id = ?", [offset, now, device.id])
            }
        }
        if let backlog, WireLimits.integers.contains(backlog) {
            try sql.execute("UPDATE device SET backlog = ?, backlog_at = ? WHERE id = ?", [backlog, now, device.id])
        }
    }

    /// Every enrolled device with its health, for `counter-hub device list`.
    public func devices() throws -> [DeviceSummary] {
        try database.read { sql in
            try sql.rows("""
                SELECT d.*,
                       (SELECT MAX(received_at) FROM event e WHERE e.device_id = d.id) AS last_upload_at,
                       (SELECT COUNT(*) FROM event e WHERE e.device_id = d.id AND e.status = 'conflict') AS conflicts
                FROM device d ORDER BY d.shop_id, d.id
                """, []).map(DeviceSummary.init(row:))
        }
    }

    /// Device tokens are stored only as SHA-256.
    static func tokenHash(_ token: String) -> String {
        Hex.encode(SHA256.hash(data: Array(token.utf8)))
    }
}

/// One enrolled device as `counter-hub device list` shows it: upload progress and health.
public struct DeviceSummary: Codable, Sendable, Equatable {
    public var id: String
    public var shopId: String
    public var name: String?
    public var enrolledAt: Date
    /// The highest N such that all of the device's sequence numbers 1…N arrived.
    public var acknowledgedSequence: Int64
    /// The last feed read (its last sync), to within ``HubStore/feedReadRecordInterval``.
    public var lastFeedAt: Date?
    public var lastUploadAt: Date?
    /// Events still queued at the counter, as it said with its last upload, and when.
    public var backlog: Int64?
    public var backlogAt: Date?
    /// The counter's clock minus the hub's, in seconds, as measured at its last upload.
    public var clockOffsetSeconds: Double?
    /// Its redemptions the hub recorded as conflicts (over-redeemed, revoked, …): offline verdicts to look at.
    public var conflicts: Int
    /// When an upload showed the device's event times going back while its sequence went up, and by how much at most.
    public var clockWentBackAt: Date?
    public var clockWentBackSeconds: Double?
    public var revokedAt: Date?
    public var revokedReason: String?
    /// When the device's current token was handed out (at enrollment, or by its last token rotation).
    public var tokenIssuedAt: Date?

    init(row: HubRow) throws {
        id = try row["id"]
        shopId = try row["shop_id"]
        name = try row["name"]
        enrolledAt = try row["created_at"]
        acknowledgedSequence = try row["acknowledged_sequence"]
        lastFeedAt = try row["last_feed_at"]
        lastUploadAt = try row["last_upload_at"]
        backlog = try row["backlog"]
        backlogAt = try row["backlog_at"]
        clockOffsetSeconds = try row["clock_offset_seconds"]
        conflicts = try row["conflicts"]
        clockWentBackAt = try row["clock_went_back_at"]
        clockWentBackSeconds = try row["clock_went_back_seconds"]
        revokedAt = try row["revoked_at"]
        revokedReason = try row["revoked_reason"]
        tokenIssuedAt = try row["token_issued_at"]
    }
}
