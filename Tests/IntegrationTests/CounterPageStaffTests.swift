import CounterAPIModels
import CounterCore
import CounterTestSupport
import Foundation
import Testing

/// Staff at the counter in the real page (issue 17), against the real `counter-hub` and `counterd`: the sign-in screen,
/// `no_staff` for a scan while signed out, 401 for a TCP write without a session, the lock-out after five wrong PINs,
/// sign-in with a PIN, attribution up to the hub, a cashier's void past her window approved by a manager (授权), lock.
/// Part of the browser stage (its suite).
extension CounterPageIntegrationTests {
    @Test func staffSignInWithAPINAndEveryScanIsTheirs() async throws {
        let hub = try await RunningHub()
        try await hub.admin("staff", "add", "--shop", "SHOP-1", "--id", "s-wang", "--name", "王芳", "--role", "cashier")
        try await hub.admin("staff", "add", "--shop", "SHOP-1", "--id", "s-zhao", "--name", "赵磊", "--role", "cashier")
        try await hub.admin("staff", "add", "--shop", "SHOP-1", "--id", "s-li", "--name", "李强", "--role", "manager")
        for (id, pin) in [("s-wang", "246810"), ("s-zhao", "135790"), ("s-li", "112358")] {
            let set = try await run(Binaries.counterHub, ["staff", "pin", id] + hub.storage, stdin: pin + "\n")
            #expect(set.status == 0, "\(set.stderr)")
        }
        let badge = try await hub.admin("staff", "badge", "s-wang").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(badge.hasPrefix("SB1:"))
        let codes = try await hub.issue(3)
        // A 3-second cashier's void window, so that the test waits past it.
        let daemon = try await RunningDaemon(serialScanners: ["front"], extraYAML: "redeem:\n  void_window: 3s\n", hub: hub, http: true)
        let page = "http://127.0.0.1:\(daemon.httpPort!)/"
        let browser = try await WebDriver(width: 1024, height: 600)
        do {
            _ = try await daemon.ctl("sync")
            try await browser.open(page)
            // The shop has staff: the page opens on the sign-in screen, with both names.
            try await browser.wait(until: "!document.getElementById('signin').hidden && document.querySelectorAll('#staff-list button').length === 3")
            #expect(try await browser.text("document.getElementById('staff-list').textContent").contains("王芳"))
            try await save(browser, "signin-1024x600")

            // Signed out: a scan is refused with no_staff (请先登录), and a TCP write is 401.
            daemon.ptys[0].write(codes[0].code + "\r")
            try await browser.wait(until: "document.getElementById('verdict').dataset.reason === 'no_staff'")
            #expect(try await browser.text("document.getElementById('verdict-zh').textContent") == "请先登录")
            let (status, body) = try await curl(daemon, "/api/v1/redeem", headers: ["Content-Type: application/json"],
                                                body: #"{"code": "\#(codes[1].code)"}"#)
            #expect(status == 401)
            #expect(body.contains("sign_in_required"))

            // Five wrong PINs lock 赵磊 out for five minutes; the screen says so.
            try await browser.click("#staff-list button[data-staff-id='s-zhao']")
            for _ in 0..<5 {
                try await browser.type("000000\u{E007}", into: "#pin")
                try await Task.sleep(for: .milliseconds(300))
            }
            try await browser.wait(until: "document.getElementById('signin-error').textContent.includes('已锁定')", timeout: .seconds(20))
            try await browser.wait(until: "document.querySelector(\"#staff-list button[data-staff-id='s-zhao']\").disabled")
            try await daemon.waitForLog("staff locked out")

            // 王芳 signs in with her PIN; her name shows; a scan is accepted and is hers, up to the hub.
            try await browser.click("#staff-list button[data-staff-id='s-wang']")
            try await browser.type("246810\u{E007}", into: "#pin")
            try await browser.wait(until: "document.getElementById('signin').hidden && !document.getElementById('who').hidden", timeout: .seconds(20))
            #expect(try await browser.text("document.getElementById('who').textContent").contains("王芳"))
            #expect(try await browser.text("document.activeElement.id") == "code")
            daemon.ptys[0].write(codes[0].code + "\r")
            try await browser.wait(until: "document.getElementById('verdict').classList.contains('accepted')")
            try await browser.wait(until: "document.getElementById('recent').textContent.includes('王芳')")
            try await save(browser, "signed-in-1024x600")
            let history = try WireJSON.decoder().decode(HistoryResponse.self, from: Data(try await daemon.ctl("history", "--json").stdout.utf8))
            #expect(history.redemptions.first?.staffId == "s-wang")
            _ = try await daemon.ctl("sync")
            let events = try await hub.events()
            #expect(events.first { $0.type == "redemption" }?.staffId == "s-wang")

            // Her void past the 3-second window: the page offers the manager's approval; 李强's PIN voids it.
            try await browser.wait(until: "document.querySelectorAll('#recent button.approve').length === 1", timeout: .seconds(20))
            try await browser.click("#recent button.approve")
            try await browser.wait(until: "!document.getElementById('approval').hidden")
            #expect(try await browser.text("document.getElementById('approval-manager').value") == "s-li")
            try await browser.type("顾客退货", into: "#approval-reason")
            try await save(browser, "approval-1024x600")
            try await browser.type("112358\u{E007}", into: "#approval-pin")
            try await browser.wait(until: "document.querySelectorAll('#recent li.voided').length === 1", timeout: .seconds(20))
            #expect(try await browser.text("document.getElementById('notice').textContent").contains("已撤销"))
            #expect(try await browser.text("document.getElementById('approval').hidden") == "true")
            try await daemon.waitForLog("approved_by=s-li")

            // Lock: back to the sign-in screen with her name chosen; the old session opens nothing.
            try await browser.click("#lock")
            try await browser.wait(until: "!document.getElementById('signin').hidden && !document.getElementById('pin-form').hidden")
            #expect(try await browser.text("document.getElementById('pin-name').textContent") == "王芳")
            daemon.ptys[0].write(codes[2].code + "\r")
            try await browser.wait(until: "document.getElementById('verdict').dataset.reason === 'no_staff'")

            // Her staff badge on the pty scanner signs her in without a PIN; it is never redeemed.
            daemon.ptys[0].write(badge + "\r")
            try await browser.wait(until: "document.getElementById('signin').hidden && document.getElementById('who').textContent.includes('王芳')",
                                   timeout: .seconds(20))
            try await daemon.waitForLog("with=badge")
            daemon.ptys[0].write(codes[2].code + "\r")
            try await browser.wait(until: "document.getElementById('verdict').classList.contains('accepted')")
            let after = try WireJSON.decoder().decode(HistoryResponse.self, from: Data(try await daemon.ctl("history", "--json").stdout.utf8))
            #expect(after.redemptions.count == 2, "the voided one and this one: the badge redeemed nothing")
            #expect(after.redemptions.first?.staffId == "s-wang" && after.redemptions.first?.voidedAt == nil)
            #expect(try await browser.text("document.getElementById('shift-panel').hidden") == "true", "shifts are the manager's")

            // The manager signs in: the 交班 panel opens, closes a shift, and its Z report is the ledger's.
            try await browser.click("#signout")
            try await browser.wait(until: "!document.getElementById('signin').hidden")
            try await browser.click("#staff-list button[data-staff-id='s-li']")
            try await browser.type("112358\u{E007}", into: "#pin")
            try await browser.wait(until: "!document.getElementById('shift-panel').hidden && !document.getElementById('shift-open').hidden",
                                   timeout: .seconds(20))
            try await browser.click("#shift-open")
            try await browser.wait(until: "document.getElementById('shift-summary').textContent.includes('开班')")
            try await save(browser, "shift-1024x600")
            try await browser.click("#shift-close")
            try await browser.click("#shift-close")
            try await browser.wait(until: "document.getElementById('notice').textContent.includes('已交班')")
            let shift = try WireJSON.decoder().decode(ShiftStatusResponse.self,
                                                      from: Data(try await daemon.ctl("shift", "report", "--json").stdout.utf8))
            #expect(shift.current == nil && shift.lastClosed?.closedBy == "s-li")
        } catch {
            await browser.quit()
            _ = try? await daemon.stop()
            hub.stop()
            throw error
        }
        await browser.quit()
        #expect(try await daemon.stop() == 0)
        hub.stop()
    }
}
