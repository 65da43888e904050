import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import MachiStore
import OrderedCollections

/// `/ngsi-ld/v1/entities`: create, retrieve, query, replace, merge, delete (ETSI GS CIM 009, 5.6 and 5.7).
struct EntitiesController {
    let services: NGSIServices

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post("entities", use: create)
        router.get("entities", use: query)
        router.get("entities/{entityId}", use: retrieve)
        router.delete("entities/{entityId}", use: delete)
        router.put("entities/{entityId}", use: replace)
        router.patch("entities/{entityId}", use: merge)
        AttributesController(services: services).register(on: router)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        let entity = try EntityDecoder(context: ldContext, now: services.entities.timestamp()).entity(body)
        try await services.entities.create(entity, in: exchange.brokerContext)
        var headers = HTTPFields()
        headers[.location] = "/ngsi-ld/v1/entities/\(entity.id)"
        return NGSIResponse.empty(.created, exchange: exchange, headers: headers)
    }

    @Sendable func retrieve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(
            request,
            context: context,
            limits: services.limits,
            offered: [.json, .jsonLD, .geoJSON]
        )
        let id = try Self.entityId(context)
        let options = try RepresentationOptions(request.uri.queryParameters)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let entity = try await services.entities.entity(id: id, in: exchange.brokerContext)
        let encoder = options.encoder(ldContext)
        if let attrs = options.attrs, !attrs.isEmpty,
            !entity.attributes.keys.contains(where: { encoder.attributeSelection?.contains($0) ?? true })
        {
            throw NGSIError.notFound("Entity \(id) has none of the requested attributes")
        }
        if exchange.accept == .geoJSON {
            let geoproperty = ldContext.expandTerm(options.geometryProperty ?? "location")
            return NGSIResponse.json(
                encoder.feature(entity, geoproperty: geoproperty),
                exchange: exchange,
                contextValue: exchange.headerContextValue
            )
        }
        guard options.geometryProperty == nil else {
            throw NGSIError.badRequestData("geometryProperty is only allowed with Accept: application/geo+json")
        }
        return NGSIResponse.json(
            .object(encoder.encode(entity)),
            exchange: exchange,
            contextValue: exchange.headerContextValue
        )
    }

    @Sendable func query(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(
            request,
            context: context,
            limits: services.limits,
            offered: [.json, .jsonLD, .geoJSON]
        )
        let parameters = request.uri.queryParameters
        let options = try RepresentationOptions(parameters)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let query = try EntityQueryBuilder(context: ldContext, limits: services.limits).query(parameters)
        return try await respond(query: query, options: options, context: ldContext, exchange: exchange)
    }

    /// Runs a query and writes the page (shared with `POST /entityOperations/query`).
    func respond(
        query: EntityQuery,
        options: RepresentationOptions,
        context ldContext: JSONLDContext,
        exchange: NGSIExchange
    )
        async throws -> Response
    {
        if exchange.accept != .geoJSON, options.geometryProperty != nil {
            throw NGSIError.badRequestData("geometryProperty is only allowed with Accept: application/geo+json")
        }
        let page = try await services.entities.query(query, in: exchange.brokerContext)
        let encoder = options.encoder(ldContext)
        var headers = HTTPFields()
        if let total = page.totalCount { headers[.ngsildResultsCount] = String(total) }
        let body: JSON
        if exchange.accept == .geoJSON {
            body = encoder.featureCollection(
                page.entities,
                geoproperty: ldContext.expandTerm(options.geometryProperty ?? "location")
            )
        } else {
            body = .array(page.entities.map { .object(encoder.encode($0)) })
        }
        return NGSIResponse.json(
            body,
            exchange: exchange,
            contextValue: exchange.headerContextValue,
            extraHeaders: headers
        )
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        try await services.entities.delete(id: try Self.entityId(context), in: exchange.brokerContext)
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try Self.entityId(context)
        var body = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        if case .object(var object) = body {
            if let bodyId = object["id"], bodyId.stringValue != id {
                throw NGSIError.badRequestData("The id in the body does not match the URL")
            }
            object["id"] = .string(id)
            body = .object(object)
        }
        let now = services.entities.timestamp()
        let replacement = try EntityDecoder(context: ldContext, now: now).entity(body)
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { $0.replace(with: replacement, now: now) },
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func merge(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try Self.entityId(context)
        let body = try await exchange.readBody(allowMergePatch: true)
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        let now = services.entities.timestamp()
        let fragment = try EntityDecoder(context: ldContext, now: now).fragment(body, allowDeletion: true)
        if let bodyId = fragment.id, bodyId != id {
            throw NGSIError.badRequestData("The id in the body does not match the URL")
        }
        guard
            !fragment.attributes.isEmpty || !fragment.deletions.isEmpty || fragment.types != nil
                || fragment.scopes != nil
        else {
            throw NGSIError.badRequestData("The merge has no attributes")
        }
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { $0.merge(fragment, now: now) },
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    /// The `{entityId}` path parameter, percent-decoded and checked to be a URI.
    static func entityId(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("entityId"), let id = raw.removingPercentEncoding, NameRules.isURI(id)
        else {
            throw .badRequestData("The entity id in the URL is not a URI")
        }
        return id
    }
}
