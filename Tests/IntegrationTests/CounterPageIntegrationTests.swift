import CounterCore
import CounterAPIModels
import CounterTestSupport
import Foundation
import Testing

/// The cashier's page in a real headless Chromium against the real `counterd`, and the TCP listener's
/// defences against other sites' pages. Screenshots of each state go to `$COUNTERD_ARTIFACTS`
/// (default .build/artifacts/counter-page), and with `COUNTERD_UPDATE_SCREENSHOTS=1` to docs/screenshots.
@Suite(.serialized) struct CounterPageIntegrationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func save(_ browser: WebDriver, _ name: String) async throws {
        let png = try await browser.screenshot()
        let environment = ProcessInfo.processInfo.environment
        let artifacts = environment["COUNTERD_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? Self.repository.appendingPathComponent(".build/artifacts/counter-page")
        var folders = [artifacts]
        if environment["COUNTERD_UPDATE_SCREENSHOTS"] == "1" { folders.append(Self.repository.appendingPathComponent("docs/screenshots")) }
        for folder in folders {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try png.write(to: folder.appendingPathComponent("\(name).png"))
        }
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
    }

    @Test func aCashierRedeemsSeesEveryVerdictLiveAndVoidsAMistake() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["front"], http: true)
        let page = "http://127.0.0.1:\(daemon.httpPort!)/"
        let browser = try await WebDriver(width: 1024, height: 600)
        do {
            try await browser.open(page)
            try await browser.wait(until: "document.getElementById('connection').classList.contains('online')")
            try await browser.wait(until: "document.getElementById('status-scanners').textContent.includes('1 在线')")
            #expect(try await browser.text("document.activeElement.id") == "code", "the cursor waits in manual entry")
            try await save(browser, "ready-1024x600")

            // Manual entry, typed in lower case: canonicalized like a scan.
            try await browser.type("demo-0001\u{E007}", into: "#code")
            try await browser.wait(until: "document.getElementById('verdict').classList.contains('accepted')")
            #expect(try await browser.text("document.getElementById('verdict-zh').textContent").contains("核销成功"))
            #expect(try await browser.text("document.getElementById('verdict-en').textContent").contains("Redeemed"))
            #expect(try await browser.text("document.getElementById('verdict-more').textContent").contains("剩余 0 次"))
            try await browser.wait(until: "document.querySelectorAll('#recent button.void').length === 1")
            #expect(try await browser.text("document.activeElement.id") == "code")
            try await save(browser, "accepted-1024x600")

            // The same code from the pty scanner: red, with when and where it was used.
            daemon.ptys[0].write("DEMO-0001\r")
            try await browser.wait(until: "document.getElementById('verdict').dataset.reason === 'already_redeemed'")
            #expect(try await browser.text("document.getElementById('verdict').className") == "verdict rejected")
            #expect(try await browser.text("document.getElementById('verdict-zh').textContent") == "此码已被核销")
            #expect(try await browser.text("document.getElementById('verdict-more').textContent").contains("it-counter"), "where it was used")
            #expect(try await browser.text("document.getElementById('verdict-meta').textContent").contains("front"))
            try await save(browser, "rejected-already-redeemed-1024x600")

            // Markup in a scan is shown as text, never run.
            daemon.ptys[0].write("<img src=x onerror=\"document.title='pwned'\">\r")
            try await browser.wait(until: "document.getElementById('verdict').dataset.reason === 'unknown_code'")
            #expect(try await browser.text("document.querySelectorAll('#verdict img, #recent img').length") == "0")
            #expect(try await browser.text("document.title") != "pwned")

            // Void: the first click asks, the second voids.
            try await browser.click("#recent button.void")
            #expect(try await browser.text("document.querySelector('#recent button.void').textContent").contains("确认"))
            try await save(browser, "void-confirm-1024x600")
            try await browser.click("#recent button.void")
            try await browser.wait(until: "document.querySelectorAll('#recent li.voided').length === 1")
            #expect(try await browser.text("document.getElementById('notice').textContent").contains("已撤销"))
            try await save(browser, "voided-1024x600")
            let history = try WireJSON.decoder().decode(HistoryResponse.self, from: Data(try await daemon.ctl("history", "--json").stdout.utf8))
            #expect(history.redemptions.first?.voidedAt != nil)

            // Full HD.
            try await browser.setWindow(width: 1920, height: 1080)
            try await browser.type("CARD-0010\u{E007}", into: "#code")
            try await browser.wait(until: "document.getElementById('verdict-more').textContent.includes('剩余 9 次')")
            try await save(browser, "accepted-1920x1080")

            // The page finds the daemon again by itself after a restart.
            #expect(try await daemon.stop(closingPtys: false) == 0)
            try await browser.wait(until: "document.getElementById('connection').classList.contains('offline')")
            try await daemon.restart()
            try await browser.wait(until: "document.getElementById('connection').classList.contains('online')", timeout: .seconds(20))
            try await browser.type("CARD-0010\u{E007}", into: "#code")
            try await browser.wait(until: "document.getElementById('verdict-more').textContent.includes('剩余 8 次')")

            // A page of another site in the same browser cannot redeem: a form post and a fetch both fail.
            let attack = """
                <form method=post enctype=text/plain action="\(page)api/v1/redeem"><input name='{"code":"DEMO-0002","x":"' value='"}'></form>
                <script>fetch("\(page)api/v1/redeem",{method:"POST",mode:"no-cors",body:JSON.stringify({code:"DEMO-0002"})});
                fetch("\(page)api/v1/redeem",{method:"POST",headers:{"Content-Type":"application/json"},body:JSON.stringify({code:"DEMO-0002"})}).catch(()=>{});
                setTimeout(()=>document.forms[0].submit(),300);</script>
                """
            try await browser.open("data:text/html;charset=utf-8," + (attack.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            try await Task.sleep(for: .seconds(2))
            let check = try await daemon.ctl("check", "DEMO-0002")
            #expect(check.status == 0, "DEMO-0002 is still unredeemed: \(check.stdout)")
            #expect(daemon.stderr.components(separatedBy: "verdict=").count - 1 == 5, "no verdict besides the five made here")
        } catch {
            await browser.quit()
            _ = try? await daemon.stop()
            throw error
        }
        await browser.quit()
        #expect(try await daemon.stop() == 0)
    }

    /// curl with a header set against the real listener: the status code and the body.
    func curl(_ daemon: RunningDaemon, _ path: String, headers: [String], body: String? = nil) async throws -> (Int, String) {
        var arguments = ["-s", "-w", "\n%{http_code}"]
        for header in headers { arguments += ["-H", header] }
        if let body { arguments += ["-X", "POST", "--data-binary", body] }
        arguments.append("http://127.0.0.1:\(daemon.httpPort!)\(path)")
        let output = try await run(URL(fileURLWithPath: "/usr/bin/curl"), arguments).stdout
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test func theListenerRefusesWritesFromOtherSitesAndRebindingHostNames() async throws {
        let daemon = try await RunningDaemon(http: true)
        let port = daemon.httpPort!
        let json = "Content-Type: application/json"
        let cases: [([String], Int, String)] = [
            (["Origin: http://evil.example", json], 403, "cross_origin"),
            (["Origin: null", json], 403, "cross_origin"),
            (["Sec-Fetch-Site: cross-site", json], 403, "cross_origin"),
            (["Content-Type: text/plain"], 415, "json_required"),
            (["Content-Type: application/x-www-form-urlencoded"], 415, "json_required"),
            (["Host: rebound.evil.example:\(port)", "Origin: http://rebound.evil.example:\(port)", json], 421, "host_not_allowed"),
        ]
        for (headers, status, code) in cases {
            let (answer, body) = try await curl(daemon, "/api/v1/redeem", headers: headers, body: #"{"code": "DEMO-0002"}"#)
            #expect(answer == status, "\(headers)")
            #expect(body.contains(code), "\(headers): \(body)")
        }
        let (sameOrigin, body) = try await curl(daemon, "/api/v1/redeem",
                                                headers: ["Origin: http://127.0.0.1:\(port)", "Sec-Fetch-Site: same-origin", json],
                                                body: #"{"code": "DEMO-0002", "source": "manual"}"#)
        #expect(sameOrigin == 200 && body.contains("\"verdict\":\"accepted\""), "the page's own request: \(body)")
        #expect(try await curl(daemon, "/api/v1/status", headers: ["Host: attacker.example"]).0 == 421)
        #expect(try await curl(daemon, "/", headers: []).0 == 200)
        // The unix socket (counterctl) is not a browser's: no Origin or JSON rules there.
        let history = try WireJSON.decoder().decode(HistoryResponse.self, from: Data(try await daemon.ctl("history", "--json").stdout.utf8))
        #expect(history.redemptions.count == 1, "only the same-origin request redeemed")
        #expect(try await daemon.stop() == 0)
    }

    /// Issue 15, item 1: DNS rebinding. A name that starts with `127.` resolves wherever its owner likes; with its
    /// own name in `Origin` and `Sec-Fetch-Site: same-origin` it once redeemed and read history and status.
    @Test func rebindingHostNamesAreRefusedOnEveryRoute() async throws {
        let daemon = try await RunningDaemon(http: true)
        let port = daemon.httpPort!
        let routes: [(String?, String)] = [
            (nil, "/"), (nil, "/api/v1/status"), (nil, "/api/v1/redemptions"), (nil, "/api/v1/printers"), (nil, "/api/v1/devices"),
            (nil, "/api/v1/events"), (nil, "/metrics"), (nil, "/counter.js"), (#"{"code": "DEMO-0002"}"#, "/api/v1/redeem"),
            (#"{"code": "DEMO-0002"}"#, "/api/v1/check"), (#"{"redemption_id": "0192f0c1-2a3b-7c4d-8e5f-0123456789ab"}"#, "/api/v1/voids"),
            ("{}", "/api/v1/sync"), ("{}", "/api/v1/print-test"), ("{}", "/api/v1/receipts/0192f0c1-2a3b-7c4d-8e5f-0123456789ab/reprint"),
        ]
        for host in ["127.0.0.1.rebind.attacker.example:\(port)", "127.attacker.example:\(port)", "127.attacker.example",
                     "localhost.attacker.example:\(port)", "[::2]:\(port)"] {
            for (body, path) in routes {
                let headers = ["Host: \(host)", "Origin: http://\(host)", "Sec-Fetch-Site: same-origin", "Content-Type: application/json"]
                let (status, answer) = try await curl(daemon, path, headers: headers, body: body)
                #expect(status == 421 && answer.contains("host_not_allowed"), "\(path) with Host \(host): \(status) \(answer)")
            }
        }
        let history = try WireJSON.decoder().decode(HistoryResponse.self, from: Data(try await daemon.ctl("history", "--json").stdout.utf8))
        #expect(history.redemptions.isEmpty, "nothing was redeemed through a rebinding name")
        let (status, _) = try await curl(daemon, "/api/v1/status", headers: ["Host: localhost:\(port)"])
        #expect(status == 200, "localhost itself is this machine")
        #expect(try await daemon.stop() == 0)
    }

    @Test func theEventStreamCarriesVerdicts() async throws {
        let daemon = try await RunningDaemon(serialScanners: ["front"], http: true)
        let stream = Task {
            try await run(URL(fileURLWithPath: "/usr/bin/curl"),
                          ["-sN", "--max-time", "3", "http://127.0.0.1:\(daemon.httpPort!)/api/v1/events"], timeout: .seconds(10))
        }
        try await Task.sleep(for: .milliseconds(700))
        daemon.ptys[0].write("DEMO-0002\r")
        let output = try await stream.value.stdout
        #expect(output.contains("event: verdict"))
        #expect(output.contains("\"source\":\"front\"") && output.contains("\"verdict\":\"accepted\""))
        #expect(try await daemon.stop() == 0)
    }
}
