import CounterDaemon
import Logging
import Foundation
import Testing

@Suite struct LogfmtLogHandlerTests {
    @Test func oneLineWithSortedQuotedFields() {
        let line = LogfmtLogHandler.format(level: .info, message: "verdict",
                                           metadata: ["reason": "ok", "detail": "two words", "q": "a\"b\nc"],
                                           label: "counterd", journald: false, now: Date(timeIntervalSince1970: 0))
        #expect(line == #"1970-01-01T00:00:00.000Z info counterd: verdict detail="two words" q="a\"b\nc" reason=ok"#)
        #expect(!line.contains("\n"))
    }

    @Test func journaldGetsPriorityPrefixesAndNoTimestamp() {
        let line = LogfmtLogHandler.format(level: .error, message: "x", metadata: [:], label: "counterd",
                                           journald: true, now: Date())
        #expect(line == "<3>counterd: x")
    }
}
