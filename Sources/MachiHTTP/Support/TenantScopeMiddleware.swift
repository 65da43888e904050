import Hummingbird
import MachiBroker

/// Runs each NGSI-LD request with its tenant as `ContextResolver.requestTenant`, so the @context of the request
/// may use the hosted @contexts of that tenant, and only those.
struct TenantScopeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let tenant = request.headers[.ngsildTenant].flatMap { NGSIExchange.isValidTenant($0) ? $0 : nil }
        return try await ContextResolver.$requestTenant.withValue(tenant) { try await next(request, context) }
    }
}
