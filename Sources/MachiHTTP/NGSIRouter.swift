public import Hummingbird
import OrderedCollections

/// Adds the NGSI-LD API under `/ngsi-ld/v1` to a router.
public enum NGSIRouter {
    /// Registers every NGSI-LD route and the ProblemDetails error mapping.
    /// - Parameter publicBaseURL: how clients reach this server (`http://host:port`), for URLs of hosted contexts.
    public static func register(on router: Router<AppRequestContext>, services: NGSIServices, publicBaseURL: String) {
        router.add(middleware: NotImplementedMiddleware<AppRequestContext>())
        let group = router.group("ngsi-ld/v1").add(middleware: ProblemMiddleware<AppRequestContext>())
        EntitiesController(services: services).register(on: group)
        EntityOperationsController(services: services).register(on: group)
        DiscoveryController(services: services).register(on: group)
        ContextsController(services: services, baseURL: "\(publicBaseURL)/ngsi-ld/v1/jsonldContexts").register(
            on: group
        )
    }
}
