import AsyncHTTPClient
import CounterCore
import CounterSyncModels
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// counterd's side of the `/v1` protocol over HTTPS (or HTTP to loopback). Every answer is checked;
/// nothing is trusted that does not parse completely.
public struct HubClient: Sendable {
    public let baseURL: URL
    /// The device's bearer token, shared by every copy of this client, so that a token rotation
    /// (``useToken(_:)``) reaches the download and the upload at once.
    private let bearer: Bearer
    let client: HTTPClient

    final class Bearer: Sendable {
        let token: Mutex<String?>
        init(_ token: String?) { self.token = Mutex(token) }
    }

    var token: String? { bearer.token.withLock { $0 } }

    /// The process's client for the hub: never follows redirects (the bearer token stays with the hub's
    /// origin) and gives up connecting after 10 s.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    public init(baseURL: URL, token: String?, client: HTTPClient = HubClient.sharedHTTPClient) {
        self.baseURL = baseURL
        self.bearer = Bearer(token)
        self.client = client
    }

    /// Sends `token` from the next request on (after a token rotation, once it is saved).
    public func useToken(_ token: String) {
        bearer.token.withLock { $0 = token }
    }

    /// Asks the hub for the device's next token (`POST /v1/device/token`). The answer is checked: a token that could
    /// not travel in an `Authorization` header unchanged, or another device's id, is an invalid response.
    public func rotateToken(deviceID: String) async throws(SyncError) -> DeviceTokenResponse {
        let answer: DeviceTokenResponse = try await call(.POST, "v1/device/token", body: Optional<EnrollRequest>.none,
                                                         timeout: .seconds(30))
        guard answer.deviceId == deviceID else {
            throw .invalidResponse("v1/device/token: device_id is not this device's")
        }
        guard Self.isDeviceToken(answer.deviceToken) else {
            throw .invalidResponse("v1/device/token: device_token must be 43 to 512 printable ASCII characters")
        }
        return answer
    }

    /// The contract's `device_token`: 43 to 512 printable ASCII characters without spaces (`^[\x21-\x7E]{43,512}$`),
    /// so it travels in an `Authorization` header unchanged.
    public static func isDeviceToken(_ text: String) -> Bool {
        (43...512).contains(text.utf8.count) && text.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    public func time() async throws(SyncError) -> TimeResponse {
        try await call(.GET, "v1/time", body: Optional<EnrollRequest>.none, timeout: .seconds(10))
    }

    public func enroll(code: String, deviceName: String?) async throws(SyncError) -> EnrollResponse {
        try await call(.POST, "v1/enroll", body: EnrollRequest(enrollmentCode: code, deviceName: deviceName), timeout: .seconds(30))
    }

    /// One feed page. With `wait` (seconds, the live feed), a hub that offers it holds the request until something
    /// changes after `cursor` or the wait ends.
    public func feed(cursor: String?, limit: Int, wait: Int = 0) async throws(SyncError) -> FeedPage {
        var query = "v1/feed?limit=\(limit)"
        if let cursor {
            query += "&cursor=" + (cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor)
        }
        if wait > 0 { query += "&wait=\(wait)" }
        return try await call(.GET, query, body: Optional<EnrollRequest>.none, timeout: .seconds(60 + Int64(max(0, wait))))
    }

    public func events(_ request: EventsRequest) async throws(SyncError) -> EventsResponse {
        try await call(.POST, "v1/events", body: request, timeout: .seconds(60))
    }

    private func call<Body: Encodable, Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: Body?,
                                                          timeout: TimeAmount) async throws(SyncError) -> Answer {
        let base = baseURL.absoluteString.hasSuffix("/") ? baseURL.absoluteString : baseURL.absoluteString + "/"
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: "counterd/1")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            guard let data = try? WireJSON.encoder().encode(body) else { throw .invalidResponse("cannot encode the request") }
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        } catch {
            throw .unreachable("\(error)")
        }
        let data = Data(bytes.readableBytesView)
        switch response.status.code {
        case 200:
            do {
                return try WireJSON.decoder(for: Answer.self).decode(Answer.self, from: data)
            } catch {
                throw .invalidResponse("\(path.split(separator: "?").first ?? ""): \(Self.describe(error))")
            }
        case 401:
            let problem = try? WireJSON.decoder().decode(ErrorBody.self, from: data)
            throw problem?.error.code == "device_revoked" ? .deviceRevoked : .unauthorized
        case 429, 500...599:
            throw .retryable(status: Int(response.status.code), retryAfter: Self.retryAfter(response.headers))
        default:
            let problem = try? WireJSON.decoder().decode(ErrorBody.self, from: data)
            throw .refused(status: Int(response.status.code), code: problem?.error.code ?? "http_\(response.status.code)",
                           message: problem?.error.message ?? String(decoding: data.prefix(200), as: UTF8.self))
        }
    }

    /// The longest wait a `Retry-After` header can impose: one hour. Anything longer, or malformed, is no reason
    /// to stop syncing for longer than the backoff would.
    static let retryAfterCap: TimeInterval = 3600

    /// `Retry-After` as delta-seconds (digits only, RFC 9110 §10.2.3) or an HTTP date, clamped to
    /// 0…``retryAfterCap``. Anything else (`inf`, `nan`, `1e309`, `-5`, a huge number) is ignored: the header
    /// may come from any proxy in between and must never trap the process.
    static func retryAfter(_ headers: HTTPHeaders) -> TimeInterval? {
        guard let value = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return nil
        }
        if value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            // Digits only: a number too long for Int is longer than the cap anyway.
            return TimeInterval(min(Int(value.prefix(18)) ?? Int(retryAfterCap), Int(retryAfterCap)))
        }
        // An HTTP date is ASCII. Foundation's DateFormatter traps on some other text (`Fri, 03` then U+073B…,
        // found by fuzzing), and any proxy may send such a header.
        guard value.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        let seconds = date.timeIntervalSinceNow
        guard seconds.isFinite else { return nil }
        return min(max(0, seconds), retryAfterCap)
    }

    /// A short reason for a decoding failure: which field (as the contract spells it), what was wrong.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { key in
                key.intValue.map(String.init) ?? key.stringValue.reduce(into: "") { out, character in
                    if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
                }
            }.joined(separator: ".")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not complete JSON (truncated?)"
                : "invalid value at \(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}
