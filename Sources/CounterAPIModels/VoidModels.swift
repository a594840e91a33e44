import CounterCore
import Foundation

/// The body of `POST /api/v1/voids`.
public struct VoidRequest: Codable, Sendable {
    public var redemptionId: String
    public var reason: String?
    public var source: String?
    /// A manager's approval (授权) of a void the signed-in cashier may not make alone (issue 17).
    public var approval: Approval?

    public init(redemptionId: String, reason: String? = nil, source: String? = nil, approval: Approval? = nil) {
        self.redemptionId = redemptionId
        self.reason = reason
        self.source = source
        self.approval = approval
    }

    /// A manager's id and PIN, checked like a sign-in (wrong PINs count towards their lock-out), or their staff badge.
    public struct Approval: Codable, Sendable {
        public var staffId: String?
        public var pin: String?
        /// A manager's staff badge code (员工卡) instead of `staff_id` and `pin`.
        public var badge: String?

        public init(staffId: String? = nil, pin: String? = nil, badge: String? = nil) {
            self.staffId = staffId
            self.pin = pin
            self.badge = badge
        }
    }
}

/// The answer to a void request.
public struct VoidResponse: Codable, Sendable, Equatable {
    /// `voided`, `not_found`, `window_closed`, `already_voided`, `other_device` or `not_yours`.
    public var status: String
    public var message: LocalizedMessage
    public var redemptionId: String
    public var voidId: String?
    public var deviceSequence: Int64?
    public var voidedAt: Date?
    public var usesRestored: Int
    public var usesLeft: Int?

    public var isVoided: Bool { status == "voided" }

    public init(status: String, message: LocalizedMessage, redemptionId: String, voidId: String?,
                deviceSequence: Int64?, voidedAt: Date?, usesRestored: Int, usesLeft: Int?) {
        self.status = status
        self.message = message
        self.redemptionId = redemptionId
        self.voidId = voidId
        self.deviceSequence = deviceSequence
        self.voidedAt = voidedAt
        self.usesRestored = usesRestored
        self.usesLeft = usesLeft
    }
}
