import CounterCore
import Hummingbird
import NIOCore

/// The request context of counterd's local API and of counter-hub: Hummingbird's basic context plus the
/// client's address (counter-hub's enrollment rate limit is keyed by it; on a unix socket it is `nil`).
public struct ServerRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// counterd: the staff member the request acts for (its session cookie, or `Counter-Staff` on the unix socket),
    /// set by the staff gate; `nil` for nobody. counter-hub leaves it unset.
    public var staff: StaffMember?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
