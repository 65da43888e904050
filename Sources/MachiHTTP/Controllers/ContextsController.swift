import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import OrderedCollections

/// `/ngsi-ld/v1/jsonldContexts`: serve, list, add and delete @contexts (ETSI GS CIM 009, 5.13).
///
/// Hosted @contexts belong to the tenant that added them: another tenant can neither list, serve nor delete them.
/// Cached ones (fetched documents and the built-in core @contexts) are shared.
struct ContextsController {
    let services: NGSIServices

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("jsonldContexts", use: list)
        router.post("jsonldContexts", use: add)
        router.get("jsonldContexts/{contextId}", use: serve)
        router.delete("jsonldContexts/{contextId}", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let parameters = request.uri.queryParameters
        let details = try RepresentationOptions.flag(parameters, "details")
        var stored = services.contexts.storedContexts(tenant: exchange.tenant)
        if let kind = parameters["kind"] {
            guard
                let wanted = ContextResolver.StoredContext.Kind.allCases.first(where: {
                    $0.rawValue.lowercased() == kind.lowercased()
                })
            else {
                throw NGSIError.badRequestData("kind must be Hosted, Cached or ImplicitlyCreated")
            }
            stored = stored.filter { $0.kind == wanted }
        }
        if details { return NGSIResponse.plain(.array(stored.map(info)), headers: tenantHeader(exchange)) }
        return NGSIResponse.plain(.array(stored.map { .string($0.url) }), headers: tenantHeader(exchange))
    }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        let stored = try await services.contexts.host(
            body,
            tenant: exchange.tenant,
            origin: exchange.brokerContext.audit
        )
        var headers = tenantHeader(exchange)
        headers[.location] = "/ngsi-ld/v1/jsonldContexts/\(stored.id)"
        return NGSIResponse.empty(.created, headers: headers)
    }

    @Sendable func serve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try Self.contextId(context)
        let details = try RepresentationOptions.flag(request.uri.queryParameters, "details")
        guard let stored = services.contexts.serve(id, tenant: exchange.tenant) else {
            throw NGSIError.notFound("No @context \(id) is stored")
        }
        if details { return NGSIResponse.plain(info(stored), headers: tenantHeader(exchange)) }
        return NGSIResponse.plain(stored.document, headers: tenantHeader(exchange))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try Self.contextId(context)
        let reload = try RepresentationOptions.flag(request.uri.queryParameters, "reload")
        try await services.contexts.delete(
            id,
            tenant: exchange.tenant,
            reload: reload,
            origin: exchange.brokerContext.audit
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    /// The @context details of 5.2.x: `URL`, `localId`, `kind`, `createdAt`, and for cached and implicitly created
    /// ones the use so far.
    func info(_ stored: ContextResolver.StoredContext) -> JSON {
        var object: JSONObject = [
            "URL": .string(stored.url), "localId": .string(stored.id), "kind": .string(stored.kind.rawValue),
            "createdAt": .string(DateTimeText.format(stored.createdAt)),
        ]
        if stored.kind != .hosted {
            if let lastUsage = stored.lastUsage { object["lastUsage"] = .string(DateTimeText.format(lastUsage)) }
            object["numberOfHits"] = .number(Double(stored.hits))
        }
        return .object(object)
    }

    func tenantHeader(_ exchange: NGSIExchange) -> HTTPFields {
        var headers = HTTPFields()
        if let tenant = exchange.tenant { headers[.ngsildTenant] = tenant }
        return headers
    }

    static func contextId(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("contextId"), let id = raw.removingPercentEncoding, !id.isEmpty else {
            throw .badRequestData("Invalid @context id")
        }
        return id
    }
}
