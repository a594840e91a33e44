import CounterCore
import CounterLedger
import CounterSync
import CounterSyncModels
import CounterTestSupport
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The downloader against a fake hub over real loopback HTTP that answers what each test scripts.
@Suite struct HostileFeedTests {
    static let root = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x21, count: 32))
    static let impostor = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x22, count: 32))
    static let signer = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x23, count: 32))

    /// Answers, in order, for the fake hub's `/v1/feed`: status, headers, body.
    final class Script: Sendable {
        let answers = Mutex<[(Int, [String: String], String)]>([])
        func push(_ body: String, status: Int = 200, retryAfter: String? = nil) {
            let headers = retryAfter.map { ["Retry-After": $0] } ?? [:]
            answers.withLock { $0.append((status, headers, body)) }
        }
        let calls = Mutex(0)
        func pop() -> (Int, [String: String], String) {
            calls.withLock { $0 += 1 }
            return answers.withLock { $0.isEmpty ? (500, [:], "{}") : $0.removeFirst() }
        }
    }

    static func keySet(signedBy key: Curve25519.Signing.PrivateKey) throws -> FeedPage.SignedKeySet {
        let set = KeySet(version: 1, issuedAt: Date(), keys: [
            .init(keyId: 1, publicKey: Hex.encode(signer.publicKey.rawRepresentation), notBefore: Date(),
                  signUntil: Date() + 86_400, verifyUntil: nil),
        ])
        let (payload, signature) = try set.signed(with: key)
        return FeedPage.SignedKeySet(payload: Data(payload).base64EncodedString(), signature: Data(signature).base64EncodedString())
    }

    static func page(position: Int64, reset: Bool, keySetBy key: Curve25519.Signing.PrivateKey? = root,
                     tokens: [String] = ["GOOD-CODE-1"], liveFeedMaxWait: Int? = nil, upToDate: Bool = true) throws -> String {
        let page = FeedPage(
            serverTime: Date(), cursor: nil, nextCursor: "c\(position)", position: position, upToDate: upToDate, reset: reset,
            maxDataAgeSeconds: 86_400, watermark: .init(deviceSequence: 0), shop: .init(id: "SHOP-1", name: "s", timeZone: "UTC"),
            campaigns: [.init(id: "C", title: "T", product: "P", faceValueFen: 100, shopRewardFen: nil, activeFrom: nil,
                              activeUntil: nil, offlinePolicy: "allow_signed", status: "active")],
            tokens: tokens.map { code in
                let hash = try! CanonicalCode(code).hash
                return .init(tokenId: Hex.encode(hash.bytes.prefix(16)), codeHash: hash.hex, campaignId: "C", shopIds: [],
                             usesTotal: 1, usesUsed: 0, validFrom: nil, validUntil: nil, status: "active", lastUse: nil)
            },
            tombstones: [], revocations: [], keySet: try key.map(keySet(signedBy:)), liveFeedMaxWaitSeconds: liveFeedMaxWait)
        return String(decoding: try WireJSON.encoder().encode(page), as: UTF8.self)
    }

    /// Runs `body` with a ledger and a downloader pointed at a fake hub that plays `script`.
    func withFakeHub(_ body: @Sendable (Ledger, FeedDownloader, Script, HubClient) async throws -> Void) async throws {
        let script = Script()
        let router = Router()
        router.post("v1/events") { _, _ -> Response in
            let (status, headers, text) = script.pop()
            var fields: HTTPFields = [.contentType: "application/json"]
            if let retryAfter = headers["Retry-After"] { fields[.retryAfter] = retryAfter }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("v1/feed") { _, _ -> Response in
            let (status, headers, text) = script.pop()
            var fields = HTTPFields()
            fields[.contentType] = "application/json"
            if let retryAfter = headers["Retry-After"] { fields[.retryAfter] = retryAfter }
            return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let app = Application(router: router)
        try await app.test(.live) { client in
            let directory = try TemporaryDirectory("counterd-sync").path
            let ledger = try Ledger(path: directory + "/ledger.sqlite", identity: DeviceIdentity(deviceID: "d", shopID: "SHOP-1"))
            let hub = HubClient(baseURL: URL(string: "http://127.0.0.1:\(client.port!)")!, token: "t")
            let downloader = FeedDownloader(ledger: ledger, client: hub, rootPublicKey: Array(Self.root.publicKey.rawRepresentation),
                                            logger: Logger(label: "test"))
            try await body(ledger, downloader, script, hub)
        }
    }

    /// Runs the downloader and returns its error.
    func failure(_ downloader: FeedDownloader) async -> SyncError? {
        do {
            _ = try await downloader.run()
            return nil
        } catch {
            return error
        }
    }

    @Test func aGoodPageIsApplied() async throws {
        try await withFakeHub { ledger, downloader, script, _ in
            script.push(try Self.page(position: 5, reset: true))
            let report = try await downloader.run()
            #expect(report.tokens == 1)
            #expect(try await ledger.check("GOOD-CODE-1").reason == .ok)
        }
    }

    @Test func aKeySetNotSignedByThePinnedRootRejectsThePageWhole() async throws {
        try await withFakeHub { ledger, downloader, script, _ in
            script.push(try Self.page(position: 5, reset: true, keySetBy: Self.impostor))
            let error = await failure(downloader)
            #expect(error?.description.contains("key set signature") == true)
            #expect(try await ledger.check("GOOD-CODE-1").reason == .unknownCode, "nothing of the page was applied")
            #expect(try await ledger.syncState().cursor == nil)
            #expect(try await ledger.syncState().lastError?.contains("key set signature") == true)
        }
    }

    /// The next page is fetched while a page is applied; when that page is refused, the one fetched after it is
    /// dropped, and the next run resumes from the last page applied.
    @Test func aRefusedPageDropsThePageFetchedAfterItAndTheNextRunResumesFromTheLastCursor() async throws {
        try await withFakeHub { ledger, downloader, script, _ in
            script.push(try Self.page(position: 5, reset: true, tokens: ["GOOD-CODE-1"], upToDate: false))
            script.push(try Self.page(position: 3, reset: false, keySetBy: nil, tokens: ["STALE-CODE-1"], upToDate: false))
            // Fetched ahead while the stale page is applied (or not yet): either way one copy is left for the next run.
            for _ in 0..<2 { script.push(try Self.page(position: 9, reset: false, keySetBy: nil, tokens: ["LATE-CODE-1"])) }
            let error = await failure(downloader)
            #expect(error?.description.contains("went backwards") == true, "\(String(describing: error))")
            #expect(try await ledger.syncState().cursor == "c5")
            #expect(try await ledger.syncState().position == 5)

            let report = try await downloader.run()
            #expect(report.upToDate)
            #expect(try await ledger.syncState().cursor == "c9")
            #expect(try await ledger.check("GOOD-CODE-1").reason == .ok)
            #expect(try await ledger.check("LATE-CODE-1").reason == .ok)
            #expect(try await ledger.check("STALE-CODE-1").reason == .unknownCode)
        }
    }

    @Test func truncatedOrIncompleteJSONIsRejected() async throws {
        try await withFakeHub { ledger, downloader, script, _ in
            let whole = try Self.page(position: 5, reset: true)
            script.push(String(whole.prefix(whole.count / 2)))
            #expect(await failure(downloader)?.description.contains("not complete JSON") == true)
            script.push(whole.replacingOccurrences(of: "\"next_cursor\"", with: "\"next_kursor\""))
            #expect(await failure(downloader)?.description.contains("missing field next_cursor") == true)
            script.push(whole.replacingOccurrences(of: "\"allow_signed\"", with: "\"sometimes\""))
            #expect(await failure(downloader)?.description.contains("campaign C has an invalid field") == true)
            #expect(try await ledger.check("GOOD-CODE-1").reason == .unknownCode)
        }
    }

    @Test func unknownFieldsAreIgnored() async throws {
        try await withFakeHub { ledger, downloader, script, _ in
            let whole = try Self.page(position: 5, reset: true)
            script.push(whole.replacingOccurrences(of: "{\"server_time\"", with: "{\"future_field\":{\"x\":[1,2]},\"server_time\""))
            _ = try await downloader.run()
            #expect(try await ledger.check("GOOD-CODE-1").reason == .ok)
        }
    }

    @Test func aPositionGoingBackwardsIsRejected() async throws {
        try await withFakeHub { ledger, downloader, script, _ in
            script.push(try Self.page(position: 10, reset: true))
            _ = try await downloader.run()
            script.push(try Self.page(position: 9, reset: false, keySetBy: nil, tokens: ["REPLAYED-1"]))
            #expect(await failure(downloader)?.description.contains("went backwards") == true)
            #expect(try await ledger.check("REPLAYED-1").reason == .unknownCode)
            #expect(try await ledger.syncState().position == 10)
        }
    }

    /// Issue 16, item 3: the counter waits on the hub only when the hub offers a live feed, for a sane time.
    @Test func theLiveFeedIsUsedOnlyWhenOfferedWithASaneWait() async throws {
        try await withFakeHub { _, downloader, script, _ in
            script.push(try Self.page(position: 10, reset: true))
            _ = try await downloader.run()
            #expect(downloader.liveFeedOffer.seconds == nil, "an older hub: the counter polls")
            script.push(try Self.page(position: 11, reset: false, keySetBy: nil, liveFeedMaxWait: 60))
            _ = try await downloader.run()
            #expect(downloader.liveFeedOffer.seconds == 60)
            for hostile in [0, -5, 86_400 * 365, Int.max] {
                script.push(try Self.page(position: 12, reset: false, keySetBy: nil, liveFeedMaxWait: hostile))
                _ = try await downloader.run()
                #expect(downloader.liveFeedOffer.seconds == nil, "\(hostile) s is no offer to wait on")
            }
        }
    }

    @Test func httpErrorsAreClassified() async throws {
        try await withFakeHub { _, downloader, script, _ in
            script.push("{}", status: 429, retryAfter: "7")
            #expect(await failure(downloader) == .retryable(status: 429, retryAfter: 7))
            script.push("{}", status: 401)
            #expect(await failure(downloader) == .unauthorized)
            // Issue 16, item 5: a revoked device is told so, with the fix, and does not retry soon.
            script.push(#"{"error": {"code": "device_revoked", "message": "此设备已被停用 / this device was revoked at the hub"}}"#,
                        status: 401)
            let revoked = await failure(downloader)
            #expect(revoked == .deviceRevoked)
            #expect(revoked?.isRetryable == false)
            #expect(revoked?.description.contains("此设备已被停用") == true)
            #expect(revoked?.description.contains("counterd enroll") == true)
            script.push("<html>maintenance</html>", status: 503)
            #expect(await failure(downloader)?.isRetryable == true)
            script.push(#"{"error": {"code": "nope", "message": "no such route"}}"#, status: 404)
            #expect(await failure(downloader) == .refused(status: 404, code: "nope", message: "no such route"))
        }
    }

    /// Issue 15, item 5: only the hub's own `invalid_request`, refused three times over at least two hours, makes a dead letter.
    @Test func anEventRefusedAloneIsDeadLetteredOnlyAfterRepeatedRefusalsOverHours() async throws {
        try await withFakeHub { ledger, _, script, hub in
            _ = try await ledger.redeem("anything", source: "test")   // a rejected scan: one pending event
            let uploader = EventUploader(ledger: ledger, client: hub, deviceID: "d", logger: Logger(label: "t"))
            for _ in 0..<4 {
                script.push(#"{"error": {"code": "invalid_request", "message": "no"}}"#, status: 400)
                await #expect(throws: SyncError.self) { _ = try await uploader.run() }
            }
            #expect(try await ledger.outboxCounts().pending == 1, "four refusals within minutes may be a proxy's: the event stays")
            #expect(try await ledger.outboxEntries(state: .pending, limit: 5).first?.refusals == 4)
        }
    }

    @Test func aDeadLetterNeedsThreeRefusalsTwoHoursApartAndCanBeRequeued() async throws {
        try await withFakeHub { ledger, _, script, hub in
            _ = try await ledger.redeem("anything", source: "test")
            let eventID = try #require(try await ledger.pendingOutbox(limit: 1).first?.id)
            let uploader = EventUploader(ledger: ledger, client: hub, deviceID: "d", logger: Logger(label: "t"))
            // Two refusals, as if they had come three hours ago.
            _ = try await ledger.recordRefusal(eventID: eventID, error: "refused", at: Date() - 3 * 3600)
            _ = try await ledger.recordRefusal(eventID: eventID, error: "refused", at: Date() - 2 * 3600)
            script.push(#"{"error": {"code": "invalid_request", "message": "still no"}}"#, status: 400)
            let report = try await uploader.run()
            #expect(report.rejected == 1)
            #expect(try await ledger.outboxCounts().dead == 1)
            #expect(try await ledger.deadLetters(limit: 5).first?.reason?.contains("refused 3 times") == true)
            // counterctl outbox retry: the dead letter goes back to the queue, its refusals forgotten, and uploads.
            #expect(try await ledger.requeueDeadLetters([eventID.uppercased()]) == [eventID])
            #expect(try await ledger.outboxEntries(state: .pending, limit: 5).map(\.refusals) == [0])
            script.push(#"{"server_time": "2026-12-04T00:00:00Z", "results": [{"id": "\#(eventID)", "status": "accepted"}], "acknowledged_sequence": 0}"#)
            #expect(try await uploader.run().accepted == 1)
            #expect(try await ledger.outboxCounts().pending == 0)
        }
    }

    /// Issue 16, item 4: a hub restored from an older backup acknowledges less than it had; what it lost is sent again.
    @Test func eventsAHubNoLongerAcknowledgesAreSentAgain() async throws {
        try await withFakeHub { ledger, _, script, hub in
            let signer = Curve25519.Signing.PrivateKey()
            let campaign = Campaign(id: "C", title: "C", product: "P", faceValue: Money(fen: 100), shopReward: Money(fen: 10),
                                    offlinePolicy: .allowSigned)
            try await ledger.apply(CacheUpdate(campaigns: [campaign],
                                               signingKeys: [SigningKey(id: 1, publicKey: Array(signer.publicKey.rawRepresentation))]))
            var ids: [String] = []
            for token in UInt8(1)...3 {
                let code = try SignedCode.issue(SignedCode.Claims(keyID: 1, tokenID: TokenID(bytes: [UInt8](repeating: token, count: 16))!,
                                                                  campaignID: "C", shopScope: .anyShop, uses: 1,
                                                                  validFrom: nil, validUntil: nil), signingKey: signer)
                ids.append(try #require(try await ledger.redeem(code, source: "test").redemption?.id.lowercasedString))
            }
            let uploader = EventUploader(ledger: ledger, client: hub, deviceID: "d", logger: Logger(label: "t"))
            func answer(_ status: String, acknowledged: Int) -> String {
                let results = ids.map { #"{"id": "\#($0)", "status": "\#(status)"}"# }.joined(separator: ", ")
                return #"{"server_time": "2026-12-04T00:00:00Z", "results": [\#(results)], "acknowledged_sequence": \#(acknowledged)}"#
            }
            script.push(answer("accepted", acknowledged: 3))
            #expect(try await uploader.run().accepted == 3)
            #expect(try await ledger.outboxCounts().pending == 0)

            // The next answer says the hub holds only sequence 1: sequences 2 and 3 go back to the queue.
            _ = try await ledger.redeem("anything", source: "test")   // a rejection, so that there is something to send
            let rejection = try #require(try await ledger.pendingOutbox(limit: 1).first?.id)
            script.push(#"{"server_time": "2026-12-04T00:00:00Z", "results": [{"id": "\#(rejection)", "status": "accepted"}], "acknowledged_sequence": 1}"#)
            script.push(#"{"server_time": "2026-12-04T00:00:00Z", "results": [{"id": "\#(ids[1])", "status": "accepted"}, {"id": "\#(ids[2])", "status": "accepted"}], "acknowledged_sequence": 3}"#)
            let report = try await uploader.run()
            #expect(report.accepted == 3, "the rejection, then the two events the hub had lost")
            #expect(report.acknowledgedSequence == 3)
            #expect(try await ledger.outboxCounts().pending == 0)
            #expect(try await ledger.outboxCounts().delivered == 4)
        }
    }

    /// Issue 15, item 5: a proxy that answers 400 (or 404) to everything must never destroy a redemption.
    @Test(arguments: [(400, "<html><body>400 Bad Request</body></html>"), (404, #"{"error": {"code": "not_found", "message": "no such path"}}"#),
                      (403, "<html>forbidden by WAF</html>"), (400, #"{"error": {"code": "something_else", "message": "x"}}"#)])
    func refusalsThatAreNotTheHubsNeverDeadLetter(status: Int, body: String) async throws {
        try await withFakeHub { ledger, _, script, hub in
            _ = try await ledger.redeem("anything", source: "test")
            _ = try await ledger.redeem("anything-else", source: "test")
            let uploader = EventUploader(ledger: ledger, client: hub, deviceID: "d", logger: Logger(label: "t"))
            for _ in 0..<6 {
                script.push(body, status: status)
                await #expect(throws: SyncError.self) { _ = try await uploader.run() }
            }
            #expect(script.calls.withLock { $0 } == 6, "one request each time: not split into halves")
            #expect(try await ledger.outboxCounts().pending == 2)
            #expect(try await ledger.outboxCounts().dead == 0)
        }
    }

    @Test func newScansDoNotHurryAHubThatSaidRetryAfter() async throws {
        try await withFakeHub { ledger, downloader, script, hub in
            _ = try await ledger.redeem("anything", source: "test")
            let uploader = EventUploader(ledger: ledger, client: hub, deviceID: "d", logger: Logger(label: "t"))
            let syncer = Syncer(downloader: downloader, uploader: uploader, pollInterval: .seconds(60), logger: Logger(label: "t"))
            script.push("{}", status: 429, retryAfter: "5")
            let loop = Task { try await syncer.services[1].run() }
            // The first upload goes out at once; on a loaded machine (or under ThreadSanitizer) "at once" can take a while.
            let deadline = ContinuousClock.now + .seconds(4)
            while script.calls.withLock({ $0 }) == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(script.calls.withLock { $0 } == 1)
            for _ in 0..<5 {
                syncer.outboxChanged()
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(script.calls.withLock { $0 } == 1, "no request before Retry-After has passed")
            loop.cancel()
        }
    }

    @Test func backoffGrowsWithJitterUpToTheCapAndHonoursRetryAfter() {
        var backoff = Backoff(base: 1, cap: 300)
        let delays = (0..<12).map { _ in backoff.nextDelay() }
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= 300 })
        #expect(delays.prefix(3).allSatisfy { $0 <= 4 })
        #expect(backoff.nextDelay(retryAfter: 120) >= 120)
        #expect(backoff.nextDelay(retryAfter: 999_999) <= 3600)
        backoff.reset()
        #expect(backoff.nextDelay() <= 1)
    }

    @Test func hubURLsMustBeHTTPSExceptOnLoopback() throws {
        #expect(throws: HubURLError.self) { try validateHubURL("http://engine.example.com") }
        #expect(throws: HubURLError.self) { try validateHubURL("ftp://127.0.0.1") }
        _ = try validateHubURL("https://engine.example.com/counter")
        _ = try validateHubURL("http://127.0.0.1:8780")
        _ = try validateHubURL("http://localhost:8780/")
        _ = try validateHubURL("http://[::1]:8780/")
    }

    /// Issue 15, items 1 and 6: a DNS name that merely starts with `127.` is not loopback (the token would go out
    /// in clear text), and user info, queries and fragments are refused and never shown.
    @Test(arguments: ["http://127.attacker.example/", "http://127.0.0.1.rebind.attacker.example:8780/", "http://127.0.0.1./",
                      "https://user:secret@engine.example.com/", "https://engine.example.com/?token=secret",
                      "https://engine.example.com/#secret", "http://user:secret@127.0.0.1:8780/", "https:///nohost"])
    func hubURLsThatLeakAreRefused(url: String) {
        #expect(throws: HubURLError.self) { try validateHubURL(url) }
        do { _ = try validateHubURL(url) } catch {
            #expect(!"\(error)".contains("secret"), "the refusal does not repeat the secret: \(error)")
        }
    }

    @Test func hubURLsAreRedactedForDisplay() {
        #expect(redactedHubURL("https://user:secret@engine.example.com:8443/counter?token=secret#frag")
                == "https://engine.example.com:8443/counter")
        #expect(redactedHubURL("http://127.0.0.1:8780") == "http://127.0.0.1:8780")
        #expect(redactedHubURL("not a url") == "<invalid URL>")
    }

    /// Issue 15, item 2: `Retry-After: 1e309` (and inf, nan, huge, negative) once killed counterd with SIGILL.
    @Test func hostileRetryAfterHeadersNeverTrap() async throws {
        let values = ["inf", "nan", "1e309", "-inf", "99999999999999999999", "-5", "1.5", "0x10", "", "   ",
                      "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "<html>",
                      // Found by the HostNames fuzz target: Foundation's DateFormatter trapped on this on Linux.
                      String(decoding: [0x46, 0x72, 0x69, 0x2c, 0x20, 0x30, 0x33, 0xdc, 0xbb, 0x9a, 0x9c, 0xdf, 0xcd, 0xcf, 0xdf, 0x31,
                                        0x34, 0x3a, 0x30, 0x30, 0x3a, 0x30, 0x30, 0x20, 0x47, 0x4d, 0x54] as [UInt8], as: UTF8.self)]
        try await withFakeHub { _, downloader, script, _ in
            for value in values {
                script.push("<html>busy</html>", status: 503, retryAfter: value)
                guard case .retryable(503, let retryAfter)? = await failure(downloader) else {
                    Issue.record("503 with Retry-After \(value) is retryable")
                    continue
                }
                if let retryAfter { #expect((0...3600).contains(retryAfter), "Retry-After \(value) → \(retryAfter)") }
                _ = SyncError.retryable(status: 503, retryAfter: retryAfter).description
            }
            script.push("{}", status: 429, retryAfter: "99999999999999999999")
            #expect(await failure(downloader) == .retryable(status: 429, retryAfter: 3600), "a huge delta is capped at an hour")
        }
        var backoff = Backoff()
        for hostile in [Double.nan, .infinity, -.infinity, -1, .greatestFiniteMagnitude] {
            let delay = backoff.nextDelay(retryAfter: hostile)
            #expect(delay.isFinite && (0...3600).contains(delay), "\(hostile) → \(delay)")
        }
        _ = SyncError.retryable(status: 503, retryAfter: .nan).description
        _ = SyncError.retryable(status: 503, retryAfter: .infinity).description
    }

    /// Issue 15, item 2: numbers past the contract's ranges reject the page instead of trapping in the ledger.
    @Test(arguments: [
        (#""max_data_age_seconds":86400"#, #""max_data_age_seconds":9223372036854775000"#),
        (#""max_data_age_seconds":86400"#, #""max_data_age_seconds":1e300"#),
        (#""uses_total":1"#, #""uses_total":9223372036854775807"#),
        (#""uses_used":0"#, #""uses_used":9223372036854775807"#),
        (#""position":5"#, #""position":9007199254740992"#),
        (#""face_value_fen":100"#, #""face_value_fen":9223372036854775807"#),
    ])
    func numbersPastTheContractRejectThePage(field: String, hostile: String) async throws {
        try await withFakeHub { ledger, downloader, script, _ in
            let page = try Self.page(position: 5, reset: true)
            #expect(page.contains(field), "the fixture has \(field)")
            script.push(page.replacingOccurrences(of: field, with: hostile))
            guard case .invalidResponse? = await failure(downloader) else {
                Issue.record("\(hostile) is an invalid response")
                return
            }
            #expect(try await ledger.syncState().position == 0)
        }
    }
}
