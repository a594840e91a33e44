import CounterCore
import CounterLedger
import Foundation
import Logging
import Synchronization

/// Who is signed in at this counter (docs/staff-and-shifts.md): checks PINs against the verifiers the feed sent, locks
/// a member out after ``wrongPINLimit`` wrong PINs in a row (in the ledger, so a restart does not lift it), and keeps
/// the cashier page's sessions in memory (a restart signs everyone out).
public final class StaffDesk: Sendable {
    /// Wrong PINs in a row that lock a member out.
    public static let wrongPINLimit = 5
    /// How long a lock-out lasts.
    public static let lockDuration: TimeInterval = 5 * 60

    /// A signed-in staff member and when their session was last used.
    struct Session: Sendable {
        var member: StaffMember
        var signedInAt: Date
        var lastUsed: Date
    }

    let ledger: Ledger
    let logger: Logger
    /// A session ends after this long without a request.
    public let idleTimeout: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])

    public init(ledger: Ledger, idleTimeout: Duration, logger: Logger) {
        self.ledger = ledger
        self.idleTimeout = idleTimeout.timeInterval
        self.logger = logger
    }

    /// Whether writes and scans need a signed-in member: while the shop has one who can sign in (enabled, with a PIN).
    public func isRequired() async throws -> Bool {
        try await ledger.hasStaffWhoCanSignIn()
    }

    /// Checks a member's PIN and opens a session. Returns the session's secret (the cookie's value) and the member.
    public func signIn(staffID: String, pin: String, at now: Date = Date()) async throws -> (token: String, member: StaffMember) {
        let member = try await checkPIN(staffID: staffID, pin: pin, at: now)
        let token = Self.newToken()
        sessions.withLock { $0[token] = Session(member: member, signedInAt: now, lastUsed: now) }
        logger.info("staff signed in", metadata: ["staff_id": "\(staffID)", "role": "\(member.role.rawValue)"])
        return (token, member)
    }

    /// A manager's approval (授权) of one action: their PIN, checked like a sign-in, without a session.
    /// - Throws: ``StaffSignInError/managerRequired`` for a cashier's PIN.
    public func approval(staffID: String, pin: String, at now: Date = Date()) async throws -> StaffMember {
        let member = try await checkPIN(staffID: staffID, pin: pin, at: now)
        guard member.role == .manager else { throw StaffSignInError.managerRequired }
        logger.info("manager approval", metadata: ["staff_id": "\(staffID)"])
        return member
    }

    /// Checks a member's PIN against their verifier, counting wrong PINs towards the lock-out.
    private func checkPIN(staffID: String, pin: String, at now: Date) async throws -> StaffMember {
        guard let member = try await ledger.staffMember(id: staffID) else { throw StaffSignInError.unknownStaff }
        guard member.enabled, let verifier = member.pinVerifier else { throw StaffSignInError.disabled }
        let lock = try await ledger.staffLock(id: staffID)
        if let until = lock.lockedUntil, until > now { throw StaffSignInError.locked(until: until) }
        guard verifier.matches(pin) else {
            let after = try await ledger.recordWrongPIN(id: staffID, limit: Self.wrongPINLimit, lockDuration: Self.lockDuration, at: now)
            if let until = after.lockedUntil {
                logger.warning("staff locked out", metadata: ["staff_id": "\(staffID)", "locked_until": "\(RFC3339.string(until))",
                                                             "wrong_pins": "\(Self.wrongPINLimit)"])
                throw StaffSignInError.locked(until: until)
            }
            logger.notice("wrong staff PIN", metadata: ["staff_id": "\(staffID)", "wrong_pins": "\(after.failures)"])
            throw StaffSignInError.wrongPIN(triesLeft: Self.wrongPINLimit - after.failures)
        }
        if lock.failures > 0 || lock.lockedUntil != nil { try await ledger.clearWrongPINs(id: staffID) }
        return member
    }

    /// The member of a live session, refreshed from the ledger (a member disabled since is signed out). `nil` for an
    /// unknown, idle or ended session.
    /// - Parameter use: whether the request is the member's activity (a write, a scan, signing in), which starts the
    ///   idle timeout again; the page's polling is not, so an unattended page still times out.
    public func member(ofSession token: String, use: Bool = true, at now: Date = Date()) async throws -> StaffMember? {
        let idle = idleTimeout
        guard let session = sessions.withLock({ sessions -> Session? in
            guard let session = sessions[token] else { return nil }
            guard now.timeIntervalSince(session.lastUsed) < idle else {
                sessions[token] = nil
                return nil
            }
            if use { sessions[token]?.lastUsed = now }
            return session
        }) else { return nil }
        guard let current = try await ledger.staffMember(id: session.member.id), current.enabled else {
            end(session: token)
            return nil
        }
        return current
    }

    /// The session's expiry if it stays unused from now.
    public func expiry(at now: Date = Date()) -> Date { now.addingTimeInterval(idleTimeout) }

    /// Ends a session (sign out or lock). Unknown sessions are ignored.
    public func end(session token: String) {
        if let ended = sessions.withLock({ $0.removeValue(forKey: token) }) {
            logger.info("staff signed out", metadata: ["staff_id": "\(ended.member.id)"])
        }
    }

    /// The member a hardware scan is attributed to: the one signed in most recently whose session is still live.
    public func memberAtCounter(at now: Date = Date()) async throws -> StaffMember? {
        let idle = idleTimeout
        let latest = sessions.withLock { sessions in
            sessions.filter { now.timeIntervalSince($0.value.lastUsed) < idle }.max { $0.value.signedInAt < $1.value.signedInAt }?.key
        }
        guard let latest else { return nil }
        return try await member(ofSession: latest, at: now)
    }

    /// A member a request on the unix socket names (`Counter-Staff`): known and enabled.
    public func member(named staffID: String) async throws -> StaffMember {
        guard let member = try await ledger.staffMember(id: staffID) else { throw StaffSignInError.unknownStaff }
        guard member.enabled else { throw StaffSignInError.disabled }
        return member
    }

    /// 256 random bits, base64url without padding.
    private static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Why a staff member could not sign in.
public enum StaffSignInError: Error, Equatable {
    case unknownStaff
    /// Disabled at the hub, or without a PIN.
    case disabled
    case wrongPIN(triesLeft: Int)
    case locked(until: Date)
    /// The action needs a 店长 (manager).
    case managerRequired
}
