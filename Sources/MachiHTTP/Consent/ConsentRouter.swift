public import Hummingbird
public import MachiBroker

/// Adds the consent API under `/api/v1` (`ConsentController`), with NGSI-LD ProblemDetails errors.
public enum ConsentRouter {
    public static func register(on router: Router<AppRequestContext>, consents: ConsentService, limits: APILimits) {
        let group = router.group("api/v1").add(middleware: ProblemMiddleware<AppRequestContext>())
        ConsentController(consents: consents, limits: limits).register(on: group)
    }
}
