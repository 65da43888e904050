import Foundation
public import Hummingbird
import OrderedCollections

/// Adds the NGSI-LD API under `/ngsi-ld/v1` to a router.
public enum NGSIRouter {
    /// Registers every NGSI-LD route, the checks that precede every operation and the ProblemDetails error mapping.
    /// - Parameters:
    ///   - publicBaseURL: how clients reach this server (`http://host:port`).
    ///   - sourceAlias: this broker's Context Source alias (`/info/sourceIdentity`); derived from `publicBaseURL`
    ///     when `nil`.
    public static func register(
        on router: Router<AppRequestContext>,
        services: NGSIServices,
        publicBaseURL: String,
        sourceAlias: String? = nil
    ) {
        router.add(middleware: PreconditionMiddleware<AppRequestContext>())
        router.add(
            middleware: NotImplementedMiddleware<AppRequestContext>(
                implemented: Set(
                    (services.subscriptions == nil ? [] : ["subscriptions"])
                        + (services.temporal == nil ? [] : ["temporal"])
                )
            )
        )
        let group = router.group("ngsi-ld/v1")
            .add(middleware: ProblemMiddleware<AppRequestContext>())
            .add(middleware: TenantScopeMiddleware<AppRequestContext>())
        EntitiesController(services: services).register(on: group)
        EntityOperationsController(services: services).register(on: group)
        DiscoveryController(services: services).register(on: group)
        ContextsController(services: services).register(on: group)
        if let temporal = services.temporal {
            TemporalController(services: services, temporal: temporal).register(on: group)
        }
        if let subscriptions = services.subscriptions {
            SubscriptionsController(services: services, subscriptions: subscriptions).register(on: group)
        }
        InfoController(
            services: services,
            alias: sourceAlias ?? "urn:ngsi-ld:ContextSource:\(InfoController.encode(publicBaseURL))",
            startedAt: Date()
        ).register(on: group)
    }
}
