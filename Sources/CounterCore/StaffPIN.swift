import Crypto
import CryptoExtras
import Foundation

/// What a staff member is at the counter (docs/staff-and-shifts.md): a 收银 (cashier) redeems; a 店长 (store
/// manager) also voids past the cashier's window, approves, reprints and runs shifts.
public enum StaffRole: String, Codable, Sendable, CaseIterable {
    case cashier
    case manager
}

/// A staff PIN as it is kept and will travel in the feed: a salted PBKDF2-HMAC-SHA256 verifier. The PIN itself is
/// never stored, sent or logged.
public struct PINVerifier: Codable, Sendable, Equatable {
    /// The only key derivation function of v1.
    public static let pbkdf2SHA256 = "pbkdf2-sha256"
    /// OWASP's figure for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet, 2023).
    public static let defaultIterations = 600_000
    /// The range a verifier from outside (a file, the feed) must be in before anything derives a key with it:
    /// below it is too weak to accept, above it a hostile value would hold the counter for minutes.
    public static let iterationRange = 210_000...5_000_000

    public var kdf: String
    public var iterations: Int
    /// 16 random bytes (base64 in JSON).
    public var salt: Data
    /// The 32-byte derived key (base64 in JSON).
    public var hash: Data

    public init(kdf: String, iterations: Int, salt: Data, hash: Data) {
        self.kdf = kdf
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// A new verifier of `pin` with a fresh salt. The PIN must pass ``StaffPIN/check(_:)``.
    public static func make(pin: String, iterations: Int = defaultIterations) throws -> PINVerifier {
        try StaffPIN.check(pin)
        guard iterationRange.contains(iterations) else { throw StaffPINError("iterations must be \(iterationRange)") }
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return PINVerifier(kdf: pbkdf2SHA256, iterations: iterations, salt: salt,
                           hash: try derive(pin, salt: salt, iterations: iterations))
    }

    /// Whether `pin` is the PIN this verifier was made from. A verifier outside the contract (another KDF, iterations
    /// out of ``iterationRange``, a salt or hash of the wrong length) matches nothing; the comparison takes the same
    /// time wherever the bytes differ.
    public func matches(_ pin: String) -> Bool {
        guard isWellFormed, (try? StaffPIN.check(pin)) != nil, let derived = try? Self.derive(pin, salt: salt, iterations: iterations) else {
            return false
        }
        return zip(derived, hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func derive(_ pin: String, salt: Data, iterations: Int) throws -> Data {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(pin.utf8), salt: salt, using: .sha256, outputByteCount: 32,
                                                    rounds: iterations)
        return key.withUnsafeBytes { Data($0) }
    }
}

/// The rules of a staff PIN.
public enum StaffPIN {
    /// The shortest and longest PIN.
    public static let lengths = 6...12

    /// A PIN is 6 to 12 ASCII digits.
    public static func check(_ pin: String) throws {
        guard lengths.contains(pin.utf8.count), pin.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw StaffPINError("a PIN is \(lengths.lowerBound) to \(lengths.upperBound) digits (0-9)")
        }
    }
}

/// Why a PIN or verifier cannot be used.
public struct StaffPINError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
