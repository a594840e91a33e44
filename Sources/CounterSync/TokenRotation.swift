import CounterSyncModels
import Foundation
import Logging
import ServiceLifecycle

/// Device token rotation at the counter (docs/protocol.md, "Device token rotation"): once the token in
/// `credential.json` is older than `period`, asks the hub for the next one, saves it durably, and only then sends it.
/// The hub keeps the old token valid until the new one is first used, so a lost answer, a full disk or a crash at
/// any step leaves the counter with a token that works; it tries again at the next check.
public struct TokenRotation: Service {
    let client: HubClient
    let stateDirectory: String
    let period: Duration
    let logger: Logger

    /// How often the token's age is checked, and a failed rotation tried again.
    static let checkInterval: Duration = .seconds(3600)

    public init(client: HubClient, stateDirectory: String, period: Duration, logger: Logger) {
        self.client = client
        self.stateDirectory = stateDirectory
        self.period = period
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            do {
                try await rotateIfDue()
            } catch {
                logger.warning("device token rotation failed; the current token stays in use", metadata: [
                    "error": "\(error)", "retry_in": "\(Self.checkInterval)",
                ])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.checkInterval) }
        }
    }

    /// Rotates the token when it is at least `period` old (never when `period` is zero); returns whether it did.
    @discardableResult
    public func rotateIfDue(now: Date = Date()) async throws -> Bool {
        guard period > .zero, var credential = try HubCredential.load(from: stateDirectory) else { return false }
        let seconds = Double(period.components.seconds)
        guard now.timeIntervalSince(credential.tokenDate) >= seconds else { return false }
        let answer = try await client.rotateToken(deviceID: credential.deviceID)
        credential.deviceToken = answer.deviceToken
        credential.tokenIssuedAt = now
        // Saved before it is ever sent: its first use retires the old token at the hub.
        try credential.save(to: stateDirectory)
        client.useToken(answer.deviceToken)
        logger.notice("device token rotated", metadata: ["device": "\(credential.deviceID)"])
        return true
    }
}
