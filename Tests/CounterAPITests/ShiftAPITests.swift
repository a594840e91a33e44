import CounterAPI
import CounterAPIModels
import CounterCore
import CounterDaemon
import CounterLedger
@testable import CounterPrint
import CounterReceipts
import CounterTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Shifts through the local API (issue 17, item 5): the manager's, X and Z reports, and the 交班单's bytes decoded by the
/// project's decoder and checked field by field.
@Suite struct ShiftAPITests {
    typealias Staff = StaffAPITests

    static func get(_ client: any TestClientProtocol, _ path: String, cookie: String) async throws -> (HTTPResponse.Status, Data) {
        var headers = Staff.local
        headers[.cookie] = "\(StaffSessionCookie.name)=\(cookie)"
        return try await client.execute(uri: path, method: .get, headers: headers) { ($0.status, Data($0.body.readableBytesView)) }
    }

    @Test func aManagerOpensAndClosesAShiftAndTheZReportPrintsFieldByField() async throws {
        try await Staff.withCounter { counter in
            try await Staff.tcp(counter) { client in
                let wang = try await Staff.signIn(client, "s-wang", Staff.pin)
                let li = try await Staff.signIn(client, "s-li", Staff.managerPIN)
                // A cashier may not open, see or close shifts.
                #expect(try await Staff.post(client, "/api/v1/shift/open", "{}", cookie: wang).status == .forbidden)
                #expect(try await Self.get(client, "/api/v1/shift", cookie: wang).0 == .forbidden)

                let opened = try await Staff.post(client, "/api/v1/shift/open", "{}", cookie: li)
                #expect(opened.status == .created)
                #expect(try await Staff.post(client, "/api/v1/shift/open", "{}", cookie: li).status == .conflict)
                _ = try await Staff.redeem(client, "DEMO-0001", as: wang)
                let card = try await Staff.redeem(client, "CARD-0010", as: wang)
                _ = try await Staff.redeem(client, "DEMO-0002", as: li)
                _ = try await Staff.post(client, "/api/v1/redeem", #"{"code": "DEMO-0001"}"#, cookie: wang)
                #expect(try await Staff.post(client, "/api/v1/voids", #"{"redemption_id": "\#(card)"}"#, cookie: wang).status == .ok)

                let (status, body) = try await Self.get(client, "/api/v1/shift", cookie: li)
                #expect(status == .ok)
                let x = try #require(try WireJSON.decoder().decode(ShiftStatusResponse.self, from: body).current)
                #expect(x.redemptions.count == 3 && x.voids.count == 1)

                // Close: printing is off on this counter, so the answer says so and the report is still there.
                let closed = try await Staff.post(client, "/api/v1/shift/close", #"{"print": true}"#, cookie: li)
                #expect(closed.status == .ok)
                let answer = try WireJSON.decoder().decode(ShiftSlipResponse.self, from: closed.body)
                #expect(answer.printed == nil && answer.printProblem?.contains("printing is off") == true)
                let z = answer.report
                #expect(z.closedBy == "s-li" && z.openedBy == "s-li")
                #expect(z.rejections == [.init(reason: "already_redeemed", count: 1)])
                #expect(try await Staff.post(client, "/api/v1/shift/close", "{}", cookie: li).status == .conflict)

                // The 交班单, as the printer gets it, decoded.
                let lines = EscPosDecoder.decode(try await counter.parts.receipts.shiftSlipBytes(z)).lines
                let text = lines.joined(separator: "\n")
                func value(_ label: String) -> String? {
                    lines.first { $0.hasPrefix(label) }.map { String($0.dropFirst(label.count)).trimmingCharacters(in: .whitespaces) }
                }
                #expect(lines.contains { $0.contains("交班单 Z 报表") })
                #expect(value("设备") == "demo-counter")
                #expect(value("开班人") == "s-li" && value("交班人") == "s-li")
                #expect(value("序号") == "\(z.firstSequence!)-\(z.lastSequence!)")
                // DEMO-0001 and DEMO-0002 (coffee, ￥18.00 face, ￥2.00 reward); the car-wash card voided.
                #expect(value("核销合计") == "3 / 3")
                #expect(value("撤销") == "1 / 1")
                #expect(value("服务点奖励合计") == Money(fen: z.rewardFen).description)
                #expect(value("对账") == "待对账 Pending")
                #expect(text.contains("咖啡兑换券"))
                #expect(text.contains("already_redeemed"))
                #expect(text.contains("王芳") && text.contains("李强"), "the breakdown by staff names them")
                #expect(lines.allSatisfy { TextWidth.columns($0) <= 32 }, "58 mm")
            }
        }
    }

    @Test func trainingModeIsTheManagersAndShowsInStatus() async throws {
        try await Staff.withCounter { counter in
            try await Staff.tcp(counter) { client in
                let wang = try await Staff.signIn(client, "s-wang", Staff.pin)
                let li = try await Staff.signIn(client, "s-li", Staff.managerPIN)
                #expect(try await Staff.post(client, "/api/v1/training", #"{"training": true}"#, cookie: wang).status == .forbidden)
                #expect(try await Staff.post(client, "/api/v1/training", #"{"training": true}"#).status == .unauthorized)
                let on = try await Staff.post(client, "/api/v1/training", #"{"training": true}"#, cookie: li)
                #expect(on.status == .ok)
                #expect(try await counter.ledger.trainingMode())
                let status = try await client.execute(uri: "/api/v1/status", method: .get, headers: Staff.local) {
                    try WireJSON.decoder().decode(StatusResponse.self, from: Data($0.body.readableBytesView))
                }
                #expect(status.training == true)
                #expect(status.warnings.contains { $0.contains("练习模式") })
                // A real code is refused while training is on.
                let refused = try await Staff.post(client, "/api/v1/redeem", #"{"code": "DEMO-0001"}"#, cookie: wang)
                #expect(try WireJSON.decoder().decode(VerdictResponse.self, from: refused.body).reason == "training_only")
                #expect(try await Staff.post(client, "/api/v1/training", #"{"training": false}"#, cookie: li).status == .ok)
                #expect(try await !counter.ledger.trainingMode())
            }
        }
    }
}
