import CounterAPIModels
import CounterCore
import Foundation
import Testing

/// The client side of `GET /api/v1/events` (`counterctl watch`): events split anywhere by the connection.
struct ServerSentEventParserTests {
    static let stream = ": counterd device events\n\n"
        + "event: device\ndata: {\"kind\":\"detached\",\"device\":\"usb:1-1\",\"source\":\"front\",\"at\":\"2026-12-02T08:00:00Z\"}\n\n"
        + ": keep-alive\n\n"
        + "event: verdict\r\ndata: {\"source\":\"front\",\"at\":\"2026-12-02T08:00:01Z\",\"verdict\":"
        + "{\"verdict\":\"rejected\",\"reason\":\"unknown_code\",\"message\":{\"zh\":\"未知\",\"en\":\"Unknown\"}}}\r\n\r\n"
        + "event: future_kind\ndata: {}\n\n"

    @Test func eventsComeOutWholeHoweverTheBytesAreSplit() throws {
        let bytes = Array(Self.stream.utf8)
        for chunk in [1, 2, 7, 64, bytes.count] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEventParser.Event] = []
            var index = 0
            while index < bytes.count {
                events += parser.feed(bytes[index..<min(index + chunk, bytes.count)])
                index += chunk
            }
            #expect(events.map(\.name) == ["device", "verdict", "future_kind"], "chunks of \(chunk)")
            let decoded = try events.compactMap { try CounterEvent($0) }
            #expect(decoded.count == 2, "an unknown event name is skipped")
            guard case .device(let device) = decoded.first, case .verdict(let verdict) = decoded.last else {
                Issue.record("expected a device then a verdict event, got \(decoded)")
                continue
            }
            #expect(device.kind == "detached" && device.source == "front")
            #expect(verdict.verdict.reason == "unknown_code" && verdict.verdict.message.zh == "未知")
            // `counterctl watch --json` lines: the name and the message, which decodes back the same.
            struct Line: Decodable { var event: String; var data: DeviceEventMessage }
            let line = try WireJSON.decoder().decode(Line.self, from: WireJSON.encoder().encode(decoded[0]))
            #expect(line.event == "device" && line.data == device)
        }
    }

    @Test func multiLineDataIsJoinedAndAnEventWithoutDataIsNotDispatched() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("event: a\n\nevent: b\ndata: one\ndata:two\n\ndata: three".utf8))
        #expect(events == [ServerSentEventParser.Event(name: "b", data: "one\ntwo")])
        #expect(parser.feed(Array("\n\n".utf8)) == [ServerSentEventParser.Event(name: "message", data: "three")])
    }

    @Test func dataThatIsNotTheJSONItsNamePromisesIsAnError() {
        #expect(throws: DecodingError.self) {
            _ = try CounterEvent(ServerSentEventParser.Event(name: "verdict", data: "{\"source\":1}"))
        }
    }
}
