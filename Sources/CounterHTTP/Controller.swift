import Hummingbird

/// One resource's routes (Hummingbird's route-collection pattern): a controller holds the narrow
/// dependencies its handlers need and adds its routes to a router. Servers are assembled from a list of
/// them, so adding an endpoint means adding a route to one controller.
public protocol Controller: Sendable {
    /// Adds this resource's routes.
    func addRoutes(to router: Router<ServerRequestContext>)
}
