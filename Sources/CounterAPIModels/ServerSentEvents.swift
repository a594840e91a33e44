import CounterCore
import Foundation

/// Splits a Server-Sent Events stream (`GET /api/v1/events`) into events, fed with whatever chunks the
/// connection delivers. Follows the HTML event-stream rules counterd needs: `event:` and `data:` fields,
/// comment lines (`:`) ignored, a blank line ends an event, CR LF or LF line ends.
public struct ServerSentEventParser: Sendable {
    /// One dispatched event: its name (`message` when the stream gave none) and its data lines joined by LF.
    public struct Event: Sendable, Equatable {
        public var name: String
        public var data: String

        public init(name: String, data: String) {
            self.name = name
            self.data = data
        }
    }

    private var pending: [UInt8] = []
    private var name: String?
    private var dataLines: [String] = []

    public init() {}

    /// Feeds bytes; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        pending.append(contentsOf: bytes)
        var events: [Event] = []
        while let newline = pending.firstIndex(of: 0x0A) {
            var line = pending[..<newline]
            if line.last == 0x0D { line = line.dropLast() }
            let text = String(decoding: line, as: UTF8.self)
            pending.removeSubrange(...newline)
            if let event = take(line: text) { events.append(event) }
        }
        return events
    }

    private mutating func take(line: String) -> Event? {
        if line.isEmpty {
            defer { name = nil; dataLines = [] }
            guard !dataLines.isEmpty else { return nil }
            return Event(name: name ?? "message", data: dataLines.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return nil }
        let field: Substring, value: Substring
        if let colon = line.firstIndex(of: ":") {
            field = line[..<colon]
            let rest = line[line.index(after: colon)...]
            value = rest.hasPrefix(" ") ? rest.dropFirst() : rest
        } else {
            field = line[...]
            value = ""
        }
        switch field {
        case "event": name = String(value)
        case "data": dataLines.append(String(value))
        default: break
        }
        return nil
    }
}

extension CounterEvent {
    /// The event a Server-Sent Event of `GET /api/v1/events` carries; `nil` for a name this version does not know.
    /// - Throws: `DecodingError` when the data is not the JSON its name promises.
    public init?(_ event: ServerSentEventParser.Event) throws {
        let data = Data(event.data.utf8)
        switch event.name {
        case "verdict": self = .verdict(try WireJSON.decoder().decode(VerdictEventMessage.self, from: data))
        case "device": self = .device(try WireJSON.decoder().decode(DeviceEventMessage.self, from: data))
        default: return nil
        }
    }
}
