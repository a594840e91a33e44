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
    /// A badge's session not yet claimed by the page (``claimBadgeSession(at:)``), and when it was made.
    private let unclaimed = Mutex<(token: String, at: Date)?>(nil)
    /// How long the page has to claim a badge's session.
    static let claimWindow: TimeInterval = 30
    /// PBKDF2 checks run here, one at a time, off the threads that serve scans and requests.
    private static let pinQueue = DispatchQueue(label: "counterd.pin-check")
    /// PIN checks waiting or running; more than ``maximumPendingChecks`` are refused (429) rather than queued.
    private let pendingChecks = Mutex(0)
    static let maximumPendingChecks = 4

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
        let idle = idleTimeout
        sessions.withLock { sessions in
            // Sessions left idle are dropped here, so the table never grows with sign-ins.
            sessions = sessions.filter { now.timeIntervalSince($0.value.lastUsed) < idle }
            sessions[token] = Session(member: member, signedInAt: now, lastUsed: now)
        }
        logger.info("staff signed in", metadata: ["staff_id": "\(staffID)", "role": "\(member.role.rawValue)"])
        return (token, member)
    }

    /// A staff badge (员工卡) scanned at the counter, checked offline against the key set and the member's current
    /// badge id: its holder takes the counter over (every other session ends), and the page claims the new session
    /// (``claimBadgeSession(at:)``). A badge never counts towards a PIN lock-out.
    public func signIn(badge code: CanonicalCode, at now: Date = Date()) async throws -> StaffMember {
        let member = try await holder(of: code, at: now)
        let token = Self.newToken()
        sessions.withLock { $0 = [token: Session(member: member, signedInAt: now, lastUsed: now)] }
        unclaimed.withLock { $0 = (token, now) }
        logger.info("staff signed in", metadata: ["staff_id": "\(member.id)", "role": "\(member.role.rawValue)", "with": "badge"])
        return member
    }

    /// A manager's approval (授权) of one action with their badge instead of their PIN; no session changes.
    public func approval(badge code: CanonicalCode, at now: Date = Date()) async throws -> StaffMember {
        let member = try await holder(of: code, at: now)
        guard member.role == .manager else { throw StaffSignInError.managerRequired }
        logger.info("manager approval", metadata: ["staff_id": "\(member.id)", "with": "badge"])
        return member
    }

    /// The member a badge belongs to, checked offline: a key of the key set that is still usable, its signature, this
    /// shop, a known and enabled member, and their current badge id.
    private func holder(of code: CanonicalCode, at now: Date) async throws -> StaffMember {
        guard let badge = try? StaffBadge(parsing: code), badge.shopID == ledger.identity.shopID,
              let key = try await ledger.signingKey(id: badge.keyID), key.isUsable(at: now), badge.isSigned(by: key) else {
            logger.warning("staff badge refused", metadata: ["reason": "not a valid badge of this shop"])
            throw StaffSignInError.invalidBadge
        }
        guard let member = try await ledger.staffMember(id: badge.staffID) else { throw StaffSignInError.unknownStaff }
        guard member.enabled else { throw StaffSignInError.disabled }
        guard member.badgeID == Hex.encode(badge.badgeID) else {
            logger.warning("staff badge refused", metadata: ["staff_id": "\(member.id)", "reason": "an old card (a new badge was issued)"])
            throw StaffSignInError.oldBadge
        }
        return member
    }

    /// The session a badge opened in the last minute, once: the page that asks first gets it as its cookie.
    public func claimBadgeSession(at now: Date = Date()) -> String? {
        unclaimed.withLock { pending in
            defer { pending = nil }
            guard let pending, now.timeIntervalSince(pending.at) < Self.claimWindow else { return nil }
            return pending.token
        }
    }

    /// A manager's approval (授权) of one action: their PIN, checked like a sign-in, without a session.
    /// - Throws: ``StaffSignInError/managerRequired`` for a cashier's PIN.
    public func approval(staffID: String, pin: String, at now: Date = Date()) async throws -> StaffMember {
        let member = try await checkPIN(staffID: staffID, pin: pin, at: now)
        guard member.role == .manager else { throw StaffSignInError.managerRequired }
        logger.info("manager approval", metadata: ["staff_id": "\(staffID)"])
        return member
    }

    /// Checks a member's PIN against their verifier, counting wrong PINs towards the lock-out. The attempt is counted
    /// before the slow check runs, and the check runs on a thread of its own, one at a time, at most
    /// ``maximumPendingChecks`` waiting: PIN requests can neither slip past the lock-out nor hold up scans.
    private func checkPIN(staffID: String, pin: String, at now: Date) async throws -> StaffMember {
        guard let member = try await ledger.staffMember(id: staffID) else { throw StaffSignInError.unknownStaff }
        guard member.enabled, let verifier = member.pinVerifier else { throw StaffSignInError.disabled }
        guard pendingChecks.withLock({ pending in
            guard pending < Self.maximumPendingChecks else { return false }
            pending += 1
            return true
        }) else { throw StaffSignInError.busy }
        defer { pendingChecks.withLock { $0 -= 1 } }
        if let lock = try await ledger.beginPINCheck(id: staffID, limit: Self.wrongPINLimit, lockDuration: Self.lockDuration, at: now),
           let until = lock.lockedUntil {
            throw StaffSignInError.locked(until: until)
        }
        let matches = await withCheckedContinuation { continuation in
            Self.pinQueue.async { continuation.resume(returning: verifier.matches(pin)) }
        }
        let after = try await ledger.endPINCheck(id: staffID, correct: matches, limit: Self.wrongPINLimit,
                                                 lockDuration: Self.lockDuration, at: now)
        guard matches else {
            if let until = after.lockedUntil {
                logger.warning("staff locked out", metadata: ["staff_id": "\(staffID)", "locked_until": "\(RFC3339.string(until))",
                                                             "wrong_pins": "\(Self.wrongPINLimit)"])
                throw StaffSignInError.locked(until: until)
            }
            logger.notice("wrong staff PIN", metadata: ["staff_id": "\(staffID)", "wrong_pins": "\(after.failures)"])
            throw StaffSignInError.wrongPIN(triesLeft: Self.wrongPINLimit - after.failures)
        }
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
    /// Too many PIN checks at once: try again in a moment.
    case busy
    /// Not a badge of this shop signed by a key the counter has.
    case invalidBadge
    /// A badge whose card was replaced by a newer one.
    case oldBadge
}
