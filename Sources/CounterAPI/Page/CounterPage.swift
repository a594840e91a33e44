import CounterHTTP
import Hummingbird

/// Serves the cashier's page and its two files, embedded in the binary (no CDN, works offline).
struct CounterPage: Controller {
    /// Scripts and styles only from counterd itself; no inline code, no frames, no other origins.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "img-src 'self' data:; media-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    func addRoutes(to router: Router<ServerRequestContext>) {
        router.get("/") { _, _ in Self.response(CounterPageHTML.text, type: "text/html; charset=utf-8") }
        router.get("counter.js") { _, _ in Self.response(CounterPageScript.text, type: "text/javascript; charset=utf-8") }
        router.get("counter.css") { _, _ in Self.response(CounterPageStyle.text, type: "text/css; charset=utf-8") }
    }

    private static func response(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
