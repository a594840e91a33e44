/// The one stable reason code of a verdict. `ok` means accepted; every other case is a rejection.
///
/// These strings are part of the local API, the logs and the upload contract: never rename one.
public enum VerdictReason: String, Sendable, Codable, CaseIterable {
    case ok
    case malformed
    case unknownCode = "unknown_code"
    case badSignature = "bad_signature"
    case unknownKey = "unknown_key"
    case revoked
    case campaignInactive = "campaign_inactive"
    case wrongShop = "wrong_shop"
    case notYetValid = "not_yet_valid"
    case expired
    case alreadyRedeemed = "already_redeemed"
    case offlineNotAllowed = "offline_not_allowed"
    /// The shop has staff and nobody is signed in at the counter (issue 17).
    case noStaff = "no_staff"
    /// The counter is in training mode and the code is not a practice code.
    case trainingOnly = "training_only"
    /// A practice code on a counter not in training mode.
    case trainingCode = "training_code"

    /// Whether this reason accepts the code.
    public var isAccepted: Bool { self == .ok }
}
