import Hummingbird
import NIOCore

/// The request context of counterd's local API and of counter-hub: Hummingbird's basic context plus the
/// client's address (counter-hub's enrollment rate limit is keyed by it; on a unix socket it is `nil`).
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
