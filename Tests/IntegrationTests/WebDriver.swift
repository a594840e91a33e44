import Foundation

/// A small W3C WebDriver client for headless Chromium through Debian's `chromedriver`: enough to load
/// a page, type, click, run a line of script and take screenshots.
final class WebDriver: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let process: Process
    private let base: URL
    private let session: String

    /// Starts chromedriver and a headless Chromium window of `width`×`height`.
    init(width: Int, height: Int) async throws {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let driver else { throw Failure(description: "chromedriver not found: install chromium-driver (scripts/setup.sh does)") }
        let port = try RunningHub.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: driver)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        base = URL(string: "http://127.0.0.1:\(port)")!
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            do {
                _ = try await Self.request(base.appendingPathComponent("status"), method: "GET", body: nil)
                break
            } catch {
                guard ContinuousClock.now < deadline else {
                    kill(process.processIdentifier, SIGKILL)
                    throw Failure(description: "chromedriver did not start on port \(port): \(error)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": [
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=\(width),\(height)", "--lang=zh-CN", "--autoplay-policy=no-user-gesture-required"],
            ],
        ]]]
        do {
            let answer = try await Self.request(base.appendingPathComponent("session"), method: "POST", body: capabilities)
            guard let value = answer["value"] as? [String: Any], let id = value["sessionId"] as? String else {
                throw Failure(description: "no session: \(answer)")
            }
            session = id
            try await setWindow(width: width, height: height)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
    }

    /// Ends the session and chromedriver (asked to shut down, then killed if it is still there after 5 s).
    func quit() async {
        _ = try? await Self.request(base.appendingPathComponent("session/\(session)"), method: "DELETE", body: nil)
        _ = try? await Self.request(base.appendingPathComponent("shutdown"), method: "GET", body: nil)
        await Self.stop(process)
    }

    private static func stop(_ process: Process) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    func open(_ url: String) async throws { _ = try await command("url", ["url": url]) }

    /// Makes the page's viewport exactly `width`×`height` CSS pixels (the window's outer size is not).
    func setWindow(width: Int, height: Int) async throws {
        _ = try await command("goog/cdp/execute", ["cmd": "Emulation.setDeviceMetricsOverride",
                                                   "params": ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": false]])
    }

    /// Runs `script` (a function body) in the page and returns its result.
    func run(_ script: String) async throws -> Any? {
        try await command("execute/sync", ["script": script, "args": []])
    }

    /// The page's value of a JavaScript expression, as text.
    func text(_ expression: String) async throws -> String {
        "\(try await run("return String(\(expression));") ?? "")"
    }

    /// Types `text` into the element `selector` (`\u{E007}` is Enter).
    func type(_ text: String, into selector: String) async throws {
        let element = try await find(selector)
        _ = try await command("element/\(element)/value", ["text": text])
    }

    func click(_ selector: String) async throws {
        let element = try await find(selector)
        _ = try await command("element/\(element)/click", [:])
    }

    /// Waits (at most `timeout`) until `expression` is true in the page.
    func wait(until expression: String, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await text("!!(\(expression))") != "true" {
            guard ContinuousClock.now < deadline else { throw Failure(description: "timed out waiting for \(expression)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// A PNG of the window.
    func screenshot() async throws -> Data {
        let answer = try await Self.request(base.appendingPathComponent("session/\(session)/screenshot"), method: "GET", body: nil)
        guard let text = answer["value"] as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    private func find(_ selector: String) async throws -> String {
        let value = try await command("element", ["using": "css selector", "value": selector])
        guard let element = (value as? [String: Any])?.values.first as? String else {
            throw Failure(description: "no element \(selector)")
        }
        return element
    }

    private func command(_ path: String, _ body: [String: Any]) async throws -> Any? {
        let answer = try await Self.request(base.appendingPathComponent("session/\(session)/\(path)"), method: "POST", body: body)
        if let value = answer["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "\(path): \(error): \(value["message"] ?? "")")
        }
        return answer["value"]
    }

    /// One WebDriver call, through curl (corelibs URLSession fails here with "Failed writing header"). The
    /// answer goes to a file, read once curl has exited: nothing of it can be lost in a pipe.
    private static func request(_ url: URL, method: String, body: [String: Any]?) async throws -> [String: Any] {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("webdriver-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = ["-s", "--max-time", "60", "-o", output.path, "-X", method, url.absoluteString]
        var input: String?
        if let body {
            input = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
            arguments += ["-H", "Content-Type: application/json", "--data-binary", "@-"]
        }
        let result = try await IntegrationTests.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments, stdin: input, timeout: .seconds(70))
        guard result.status == 0 else { throw Failure(description: "curl \(method) \(url.path): exit \(result.status)") }
        let data = (try? Data(contentsOf: output)) ?? Data()
        guard let answer = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw Failure(description: "\(method) \(url.path): not JSON: \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return answer
    }
}
