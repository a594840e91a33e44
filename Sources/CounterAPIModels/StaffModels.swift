import Foundation

/// The cashier page's session cookie (HttpOnly, SameSite=Strict).
public enum StaffSessionCookie {
    public static let name = "counterd_session"
}

/// `GET /api/v1/staff`: who may sign in at this counter.
public struct StaffListResponse: Codable, Sendable, Equatable {
    /// Whether writes and scans need a signed-in member (the shop has an enabled one).
    public var staffRequired: Bool
    public var staff: [Member]

    public init(staffRequired: Bool, staff: [Member]) {
        self.staffRequired = staffRequired
        self.staff = staff
    }

    /// An enabled member with a PIN.
    public struct Member: Codable, Sendable, Equatable {
        public var staffId: String
        public var name: String
        /// `cashier` or `manager`.
        public var role: String
        /// Until when wrong PINs locked the member out; absent when not locked.
        public var lockedUntil: Date?

        public init(staffId: String, name: String, role: String, lockedUntil: Date?) {
            self.staffId = staffId
            self.name = name
            self.role = role
            self.lockedUntil = lockedUntil
        }
    }
}

/// `POST /api/v1/session`: sign in with a PIN.
public struct SignInRequest: Codable, Sendable, Equatable {
    public var staffId: String
    public var pin: String

    public init(staffId: String, pin: String) {
        self.staffId = staffId
        self.pin = pin
    }
}

/// `POST` and `GET /api/v1/session`: who is signed in.
public struct SessionResponse: Codable, Sendable, Equatable {
    public var staffId: String
    public var name: String
    public var role: String
    public var idleTimeoutSeconds: Int
    /// When the session ends if unused from now.
    public var expiresAt: Date

    public init(staffId: String, name: String, role: String, idleTimeoutSeconds: Int, expiresAt: Date) {
        self.staffId = staffId
        self.name = name
        self.role = role
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.expiresAt = expiresAt
    }
}
