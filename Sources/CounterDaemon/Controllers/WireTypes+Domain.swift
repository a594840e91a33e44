import CounterAPIModels
import CounterCore
import CounterLedger
import Foundation

// Wire types of the local API that more than one controller builds from their domain values, each once.
// The wire types live in CounterAPIModels, which counterctl shares and which therefore knows no ledger or
// scanner types; a wire type one controller answers with is built in that controller's file.

extension StatusResponse.DeadLetterInfo {
    init(_ letter: DeadLetter) {
        self.init(eventId: letter.eventID, kind: letter.kind.rawValue, reason: letter.reason, failedAt: letter.failedAt)
    }
}
