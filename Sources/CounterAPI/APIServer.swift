import CounterAPIModels
import CounterHTTP
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The two kinds of listener of the local API.
public enum APIListenerKind: Sendable {
    /// The group-restricted unix socket (counterctl).
    case socket
    /// The TCP listener a browser can reach (the cashier's page).
    case tcp
}

/// Where the local API listens.
public struct APIListeners: Sendable, Equatable {
    /// The unix socket path (always served; file mode 0660).
    public var socketPath: String
    /// An optional TCP listener; loopback unless configured otherwise.
    public var http: HTTPAddress?

    public init(socketPath: String, http: HTTPAddress? = nil) {
        self.socketPath = socketPath
        self.http = http
    }

    /// A TCP host and port.
    public struct HTTPAddress: Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }
}

/// A middleware of the local API's routers.
public typealias APIMiddleware = any MiddlewareProtocol<Request, Response, ServerRequestContext>

/// Builds the local API's router: the cashier's page at `/`, then each controller's routes.
/// - Parameters:
///   - browserGuard: for a TCP listener, the checks that keep other sites' pages out (first).
///   - middleware: what runs next on every request (counterd's staff gate).
public func buildAPIRouter(_ controllers: [any Controller], browserGuard: BrowserGuard<ServerRequestContext>? = nil,
                           middleware: [APIMiddleware] = []) -> Router<ServerRequestContext> {
    let router = Router(context: ServerRequestContext.self)
    if let browserGuard { router.add(middleware: browserGuard) }
    for item in middleware { router.add(middleware: item) }
    CounterPage().addRoutes(to: router)
    for controller in controllers { controller.addRoutes(to: router) }
    return router
}

/// Builds the services that serve the local API: one per listener.
/// - Parameters:
///   - socketMiddleware: the unix socket's middleware; `tcpMiddleware`: the TCP listener's (after its browser guard).
///   - onReady: called with a listener's description once it accepts connections.
public func makeAPIServices(controllers: [any Controller], listeners: APIListeners, logger: Logger,
                            socketMiddleware: [APIMiddleware] = [], tcpMiddleware: [APIMiddleware] = [],
                            onReady: @escaping @Sendable (String) async -> Void = { _ in }) throws -> [any Service] {
    let router = buildAPIRouter(controllers, middleware: socketMiddleware)
    let socketPath = listeners.socketPath
    try prepareSocketDirectory(for: socketPath)
    var services: [any Service] = [
        Application(router: router,
                    configuration: ApplicationConfiguration(address: .unixDomainSocket(path: socketPath),
                                                            serverName: "counterd"),
                    onServerRunning: { _ in
                        chmod(socketPath, 0o660)
                        await onReady("unix:\(socketPath)")
                    },
                    logger: logger),
    ]
    if let http = listeners.http {
        // A browser can reach this listener: other sites' pages must not (BrowserGuard).
        let guarded = buildAPIRouter(controllers, browserGuard: BrowserGuard(listenerHost: http.host), middleware: tcpMiddleware)
        services.append(Application(router: guarded,
                                    configuration: ApplicationConfiguration(address: .hostname(http.host, port: http.port),
                                                                            serverName: "counterd"),
                                    onServerRunning: { _ in await onReady("http://\(http)") },
                                    logger: logger))
    }
    return services
}

/// Creates the socket's directory and removes a stale socket left by a crashed daemon.
/// Refuses to remove anything that is not a socket.
private func prepareSocketDirectory(for path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o750])
    }
    var info = stat()
    if lstat(path, &info) == 0 {
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw APISocketError(path: path, reason: "exists and is not a socket; remove it or choose api.socket")
        }
        if UnixSocketProbe.problem(at: path) == nil {
            throw APISocketError(path: path, reason: "another counterd is already listening there")
        }
        unlink(path)
    }
}

/// The API socket cannot be used.
public struct APISocketError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "API socket \(path) \(reason)" }
}
