import CounterCore
import Foundation

/// A shop's staff member as `counter-hub staff list` shows them. The PIN is never shown, only whether one is set.
public struct StaffSummary: Codable, Sendable, Equatable {
    public var id: String
    public var shopId: String
    public var name: String
    public var role: StaffRole
    public var enabled: Bool
    public var hasPin: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// The feed position of the member's last change.
    public var position: Int64

    init(row: HubRow) throws {
        id = try row["id"]
        shopId = try row["shop_id"]
        name = try row["name"]
        let roleText: String = try row["role"]
        guard let role = StaffRole(rawValue: roleText) else { throw HubError("invalid_role", "staff \(id) has the unknown role \(roleText)") }
        self.role = role
        enabled = try row["enabled"]
        hasPin = try (row["pin_verifier"] as String?) != nil
        createdAt = try row["created_at"]
        updatedAt = try row["updated_at"]
        position = try row["position"]
    }
}

/// The shops' staff (issue 17, item 1), managed at the hub with `counter-hub staff`. Every change takes a feed
/// position of the member's shop, so that counters can receive staff through the feed.
extension HubStore {
    /// Adds a staff member to a shop. Ids are unique across the platform; a name is 1 to 64 characters.
    public func addStaff(id: String, shop: String, name: String, role: StaffRole, now: Date = Date()) throws {
        try Self.checkIdentifier(id, what: "staff id")
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard StaffMember.isValidName(trimmed) else {
            throw HubError("invalid_name", "a staff name is 1 to \(StaffMember.nameLength) characters without control characters")
        }
        try database.write { sql in
            guard try sql.value(Int.self, "SELECT COUNT(*) FROM shop WHERE id = ?", [shop]) == 1 else {
                throw HubError("not_found", "no shop \(shop)")
            }
            guard try sql.value(Int.self, "SELECT COUNT(*) FROM staff WHERE id = ?", [id]) == 0 else {
                throw HubError("exists", "staff \(id) already exists")
            }
            try sql.execute("""
                INSERT INTO staff (id, shop_id, name, role, enabled, created_at, updated_at, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)
                """, [id, shop, trimmed, role.rawValue, true, now, try Self.nextPosition(sql, for: .shops([shop]))])
        }
    }

    /// Sets a staff member's PIN (6 to 12 digits): only its salted verifier is stored.
    public func setStaffPIN(id: String, pin: String, iterations: Int = PINVerifier.defaultIterations, now: Date = Date()) throws {
        let verifier: PINVerifier
        do {
            verifier = try PINVerifier.make(pin: pin, iterations: iterations)
        } catch let error as StaffPINError {
            throw HubError("invalid_pin", error.description)
        }
        let text = String(decoding: try WireJSON.encoder().encode(verifier), as: UTF8.self)
        try changeStaff(id, now: now) { sql, _ in
            try sql.execute("UPDATE staff SET pin_verifier = ? WHERE id = ?", [text, id])
        }
    }

    /// Issues a new staff badge (员工卡) for a member: a new badge id, signed with the current signing key. The old card
    /// stops working once counters have the change. Returns the badge's code, to print on the card.
    public func issueStaffBadge(id: String, now: Date = Date()) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let badgeID = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var code = ""
        try changeStaff(id, now: now) { sql, shop in
            let (keyID, key) = try Self.currentSigningKey(sql, now: now)
            code = try StaffBadge(keyID: keyID, shopID: shop, staffID: id, badgeID: badgeID).issue(signingKey: key)
            try sql.execute("UPDATE staff SET badge_id = ? WHERE id = ?", [Hex.encode(badgeID), id])
        }
        return code
    }

    /// Disables or enables a staff member. A disabled member cannot sign in; their past redemptions stay theirs.
    public func setStaffEnabled(id: String, _ enabled: Bool, now: Date = Date()) throws {
        try changeStaff(id, now: now) { sql, _ in
            try sql.execute("UPDATE staff SET enabled = ? WHERE id = ?", [enabled, id])
        }
    }

    /// The staff of one shop, or of every shop, by shop and id.
    public func staff(shop: String? = nil) throws -> [StaffSummary] {
        try database.read { sql in
            if let shop {
                return try sql.rows("SELECT * FROM staff WHERE shop_id = ? ORDER BY id", [shop]).map(StaffSummary.init(row:))
            }
            return try sql.rows("SELECT * FROM staff ORDER BY shop_id, id", []).map(StaffSummary.init(row:))
        }
    }

    /// The stored PIN verifier of a staff member, if a PIN is set.
    public func staffPINVerifier(id: String) throws -> PINVerifier? {
        guard let text = try database.read({ sql in try sql.value(String.self, "SELECT pin_verifier FROM staff WHERE id = ?", [id]) }) else {
            return nil
        }
        return try WireJSON.decoder().decode(PINVerifier.self, from: Data(text.utf8))
    }

    /// Sets how long the shop's managers may void a redemption at its counters (0 turns manager voids past the cashier's
    /// window off). Counters get it with their next feed page.
    public func setManagerVoidWindow(shop: String, seconds: Int) throws {
        guard WireLimits.managerVoidWindowSeconds.contains(seconds) else {
            throw HubError("invalid_window", "the manager void window is 0 to \(WireLimits.managerVoidWindowSeconds.upperBound) seconds (7 days)")
        }
        try database.write { sql in
            guard try sql.value(Int.self, "SELECT COUNT(*) FROM shop WHERE id = ?", [shop]) == 1 else {
                throw HubError("not_found", "no shop \(shop)")
            }
            try sql.execute("UPDATE shop SET manager_void_window_seconds = ? WHERE id = ?", [seconds, shop])
            // A position of the shop wakes its counters' live feeds, which carry the shop's settings on every page.
            _ = try Self.nextPosition(sql, for: .shops([shop]))
        }
    }

    /// Runs `change` on an existing member in one transaction and gives the change a new feed position.
    private func changeStaff(_ id: String, now: Date, _ change: (any HubSQL, String) throws -> Void) throws {
        try database.write { sql in
            guard let shop = try sql.value(String.self, "SELECT shop_id FROM staff WHERE id = ?" + sql.dialect.forUpdate, [id]) else {
                throw HubError("not_found", "no staff \(id) (see `counter-hub staff list`)")
            }
            try change(sql, shop)
            try sql.execute("UPDATE staff SET updated_at = ?, position = ? WHERE id = ?",
                            [now, try Self.nextPosition(sql, for: .shops([shop])), id])
        }
    }
}
