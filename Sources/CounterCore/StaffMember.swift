import Foundation

/// A shop's staff member as a counter knows them from the feed (docs/staff-and-shifts.md): who may sign in, and how
/// their PIN is checked. Staff are never deleted, only disabled.
public struct StaffMember: Sendable, Equatable {
    /// The longest name, in characters.
    public static let nameLength = 64

    public var id: String
    public var name: String
    public var role: StaffRole
    public var enabled: Bool
    /// The PIN's salted verifier; `nil` while no PIN is set (the member cannot sign in).
    public var pinVerifier: PINVerifier?
    /// The current staff badge's id, 32 lower-case hex (``StaffBadge``); `nil` while no badge was issued. A badge with
    /// another id is an old card and signs nobody in.
    public var badgeID: String?

    public init(id: String, name: String, role: StaffRole, enabled: Bool, pinVerifier: PINVerifier?, badgeID: String? = nil) {
        self.badgeID = badgeID
        self.id = id
        self.name = name
        self.role = role
        self.enabled = enabled
        self.pinVerifier = pinVerifier
    }

    /// Whether the member can sign in with a PIN.
    public var canSignIn: Bool { enabled && pinVerifier != nil }

    /// Whether `name` is 1 to ``nameLength`` characters without control characters.
    public static func isValidName(_ name: String) -> Bool {
        (1...nameLength).contains(name.count) && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }
}

extension PINVerifier {
    /// Whether the verifier is inside the contract (the only KDF, iterations in ``iterationRange``, a 16 to 64-byte salt
    /// and a 32-byte hash): one that is not matches no PIN, and a feed page carrying one is refused.
    public var isWellFormed: Bool {
        kdf == Self.pbkdf2SHA256 && Self.iterationRange.contains(iterations) && (16...64).contains(salt.count) && hash.count == 32
    }
}
