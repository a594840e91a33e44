import CounterCore
import Foundation

/// One message of `GET /api/v1/events` (Server-Sent Events): its `event:` name and its `data:` JSON.
public enum CounterEvent: Sendable, Equatable {
    /// `event: verdict`: a scan or request was decided (accepted or rejected).
    case verdict(VerdictEventMessage)
    /// `event: device`: a scanner attached, detached or failed.
    case device(DeviceEventMessage)

    /// The SSE event name.
    public var name: String {
        switch self {
        case .verdict: return "verdict"
        case .device: return "device"
        }
    }

    /// The event as a Server-Sent Events message: `event: NAME`, the message's JSON as `data:`, a blank line.
    public var serverSentEvent: String {
        let json = try? WireJSON.encoder().encode(message)
        return "event: \(name)\ndata: \(json.map { String(decoding: $0, as: UTF8.self) } ?? "{}")\n\n"
    }

    /// The message, as the event's `data:` JSON encodes it.
    public var message: any Encodable & Sendable {
        switch self {
        case .verdict(let message): return message
        case .device(let message): return message
        }
    }
}

/// `{"event": NAME, "data": MESSAGE}`: one line of `counterctl watch --json`.
extension CounterEvent: Encodable {
    private enum CodingKeys: String, CodingKey { case event, data }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .event)
        try container.encode(message, forKey: .data)
    }
}

/// `event: verdict`: the verdict as `POST /api/v1/redeem` answers it, with where and when.
public struct VerdictEventMessage: Codable, Sendable, Equatable {
    /// The scanner or client the code came from (`front`, `manual`, `counterctl`, …).
    public var source: String
    public var at: Date
    public var verdict: VerdictResponse

    public init(source: String, at: Date, verdict: VerdictResponse) {
        self.source = source
        self.at = at
        self.verdict = verdict
    }
}

/// `event: device`: a scanner attached, detached or failed.
public struct DeviceEventMessage: Codable, Sendable, Equatable {
    /// `attached`, `detached` or `error`.
    public var kind: String
    public var device: String
    public var source: String
    public var message: String?
    public var at: Date

    public init(kind: String, device: String, source: String, message: String?, at: Date) {
        self.kind = kind
        self.device = device
        self.source = source
        self.message = message
        self.at = at
    }
}
