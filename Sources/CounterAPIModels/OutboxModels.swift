import Foundation

/// The answer to `GET /api/v1/outbox`: upload queue entries in one state, oldest first.
public struct OutboxListResponse: Codable, Sendable, Equatable {
    public var state: String
    public var entries: [Entry]

    public init(state: String, entries: [Entry]) {
        self.state = state
        self.entries = entries
    }

    /// One event in the upload queue.
    public struct Entry: Codable, Sendable, Equatable {
        public var eventId: String
        /// `redemption`, `void` or `rejection`.
        public var kind: String
        /// `pending` or `dead`.
        public var state: String
        public var attempts: Int
        /// Refusals of the event sent alone since its last re-queue; three over two hours make it a dead letter.
        public var refusals: Int
        public var lastError: String?
        public var createdAt: Date
        public var failedAt: Date?

        public init(eventId: String, kind: String, state: String, attempts: Int, refusals: Int, lastError: String?,
                    createdAt: Date, failedAt: Date?) {
            self.eventId = eventId
            self.kind = kind
            self.state = state
            self.attempts = attempts
            self.refusals = refusals
            self.lastError = lastError
            self.createdAt = createdAt
            self.failedAt = failedAt
        }
    }
}

/// The body of `POST /api/v1/outbox/retry`: dead letters to send again, by id, or all of them.
public struct OutboxRetryRequest: Codable, Sendable {
    public var eventIds: [String]?
    public var all: Bool?

    public init(eventIds: [String]? = nil, all: Bool? = nil) {
        self.eventIds = eventIds
        self.all = all
    }
}

/// The answer to `POST /api/v1/outbox/retry`: the ids put back in the upload queue.
public struct OutboxRetryResponse: Codable, Sendable, Equatable {
    public var requeued: [String]

    public init(requeued: [String]) { self.requeued = requeued }
}
