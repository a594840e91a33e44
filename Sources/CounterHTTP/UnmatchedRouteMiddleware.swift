import Hummingbird

/// Answers the requests no route matched, in the protocol's error format: 405 `method_not_allowed` with an
/// `Allow` header when the path exists under other methods, 404 `not_found` otherwise.
///
/// Added to the router after every route, so it runs only in Hummingbird's not-found chain: a middleware
/// applies to the routes added after it and to the not-found responder.
public struct UnmatchedRouteMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The methods of each route path, by normalized path.
    let methods: [String: [String]]

    public init(routes: [(path: String, method: HTTPRequest.Method)]) {
        var methods: [String: [String]] = [:]
        for route in routes {
            methods[Self.normalized(route.path), default: []].append(route.method.rawValue)
        }
        self.methods = methods.mapValues { Array(Set($0)).sorted() }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A path the router did not match although its method is known (a spelling the router treats
        // differently) is not found, not a wrong method.
        guard let allowed = methods[Self.normalized(request.uri.path)], !allowed.contains(request.method.rawValue) else {
            throw APIError(.notFound, code: "not_found", message: "no such path")
        }
        var error = APIError(.methodNotAllowed, code: "method_not_allowed",
                                 message: "\(request.method.rawValue.prefix(32)) is not allowed here; use \(allowed.joined(separator: " or "))")
        error.headers[.allow] = allowed.joined(separator: ", ")
        throw error
    }

    /// A path as the router matches it: its non-empty components.
    static func normalized(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }
}
