import CounterCore
import CounterHTTP
import HTTPTypes
import Hummingbird

/// What the TCP listener demands of every request, because a browser can reach it and a page on another
/// site open in the same browser must not redeem or void anything:
/// - the `Host` must be this listener's: `localhost`, a loopback IP literal (127.0.0.0/8, `::1`) or the
///   configured host, matched exactly. A rebinding DNS name pointing at 127.0.0.1
///   (`127.0.0.1.rebind.example`) is refused with 421;
/// - a write (`POST` and the like) must be `application/json`, which a cross-site form cannot send
///   without a CORS preflight that counterd never grants (415 otherwise);
/// - a write whose `Origin` (or `Sec-Fetch-Site`) says another site is refused with 403;
/// - `GET /api/v1/diagnostics` (an integrity check of the whole ledger and a hub probe) is for
///   `counterctl doctor` on the socket: here it is 404, so no page can make counterd run it over and over.
/// The unix socket needs none of this: browsers cannot reach it.
public struct BrowserGuard<Context: RequestContext>: RouterMiddleware {
    /// Host names (without port) requests may be addressed to, lower-case.
    let allowedHosts: Set<String>

    /// - Parameter listenerHost: the configured listener address; loopback literals and `localhost` are always allowed.
    public init(listenerHost: String) {
        allowedHosts = [listenerHost.lowercased()]
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        // HTTP/1's Host header becomes the request's authority; a Host field left in the headers counts too.
        let authority = request.head.authority ?? request.headers[HTTPField.Name("Host")!] ?? ""
        guard let host = Self.hostName(of: authority), allowedHosts.contains(host) || LoopbackHost.contains(host) else {
            throw APIError(.misdirectedRequest, code: "host_not_allowed",
                           message: "counterd answers only requests addressed to its own listener; open http://127.0.0.1:PORT/ instead of \(authority)")
        }
        // The matched route, not the raw path: the router ignores empty segments (`/api/v1//diagnostics/`).
        if (context.endpointPath ?? request.uri.path) == "/api/v1/diagnostics" {
            throw APIError(.notFound, code: "socket_only", message: "diagnostics are served on counterd's unix socket only (counterctl doctor)")
        }
        if ![.get, .head].contains(request.method) {
            if let origin = request.headers[.origin], origin.lowercased() != "http://\(authority.lowercased())" {
                throw APIError(.forbidden, code: "cross_origin", message: "requests from another site's page are refused (Origin \(origin))")
            }
            if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], !["same-origin", "none"].contains(site) {
                throw APIError(.forbidden, code: "cross_origin", message: "requests from another site's page are refused (Sec-Fetch-Site \(site))")
            }
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
                throw APIError(.unsupportedMediaType, code: "json_required", message: "send the request body as application/json")
            }
        }
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }

    /// `host` of `host:port`, `[v6]:port` or `host`, lower-case; `nil` when empty.
    static func hostName(of authority: String) -> String? {
        var text = authority.lowercased()
        if text.hasPrefix("[") {
            guard let end = text.firstIndex(of: "]") else { return nil }
            return String(text[text.index(after: text.startIndex)..<end])
        }
        if let colon = text.lastIndex(of: ":") { text = String(text[..<colon]) }
        return text.isEmpty ? nil : text
    }
}
