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
        router.delete("entities", use: purge)
        router.put("entities", use: entityIdMissing)
        router.patch("entities", use: entityIdMissing)
        router.get("entities/{entityId}", use: retrieve)
        router.delete("entities/{entityId}", use: delete)
        router.put("entities/{entityId}", use: replace)
        router.patch("entities/{entityId}", use: merge)
        AttributesController(services: services).register(on: router)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        if body.arrayValue?.isEmpty ?? false || body.objectValue?.isEmpty ?? false {
            throw NGSIError.invalidRequest("The payload is an empty JSON document")
        }
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
        let parameters = RepresentationOptions.formParameters(request.uri)
        let options = try RepresentationOptions(parameters)
        if exchange.accept != .geoJSON, options.geometryProperty != nil {
            throw NGSIError.badRequestData("geometryProperty is only allowed with Accept: application/geo+json")
        }
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let typeSelector = try parameters["type"].map { type throws(NGSIError) in
            try TypeExpression.parse(String(type)).expanded(ldContext.expandTerm)
        }
        let entity = try await services.entities.entity(id: id, in: exchange.brokerContext)
        if let typeSelector, !typeSelector.matches(entity.types) {
            throw NGSIError.notFound("Entity \(id) is not of the requested type")
        }
        let encoder = options.encoder(ldContext)
        if let attrs = options.attrs, !attrs.isEmpty,
            !entity.attributes.keys.contains(where: { encoder.attributeSelection?.contains($0) ?? true })
        {
            throw NGSIError.notFound("Entity \(id) has none of the requested attributes")
        }
        let linked =
            options.join == nil
            ? [:]
            : try await QueryResponseSupport.linkedEntities(
                of: [entity],
                levels: options.joinLevel,
                services: services,
                exchange: exchange
            )
        if exchange.accept == .geoJSON {
            let geoproperty = ldContext.expandTerm(options.geometryProperty ?? "location")
            let feature = encoder.feature(entity, geoproperty: geoproperty, linked: linked)
            return NGSIResponse.json(feature, exchange: exchange, contextValue: exchange.headerContextValue)
        }
        let body: JSON
        if options.join == .flat {
            let objects = encoder.flatten([entity], linked: linked)
            guard let first = objects.first, !first.isEmpty else {
                throw NGSIError.notFound("Nothing of entity \(id) is left after the projection")
            }
            let kept = objects.filter { !$0.isEmpty }
            // Without any linked entity found, the flat form is the entity itself.
            body = kept.count == 1 ? .object(kept[0]) : .array(kept.map(JSON.object))
        } else {
            let object = encoder.encode(entity, linked: linked)
            guard !object.isEmpty else {
                throw NGSIError.notFound("Nothing of entity \(id) is left after the projection")
            }
            body = .object(object)
        }
        return NGSIResponse.json(body, exchange: exchange, contextValue: exchange.headerContextValue)
    }

    @Sendable func query(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(
            request,
            context: context,
            limits: services.limits,
            offered: [.json, .jsonLD, .geoJSON]
        )
        let parameters = RepresentationOptions.formParameters(request.uri)
        let options = try RepresentationOptions(parameters)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let query = try EntityQueryBuilder(context: ldContext, limits: services.limits).query(parameters)
        return try await respond(
            query: query,
            options: options,
            context: ldContext,
            exchange: exchange,
            pageLinks: (request.uri.path, parameters)
        )
    }

    /// Runs a query and writes the page (shared with `POST /entityOperations/query`); with `pageLinks` (the path and
    /// parameters of a GET), `Link` headers point to the previous and next pages.
    func respond(
        query: EntityQuery,
        options: RepresentationOptions,
        context ldContext: JSONLDContext,
        exchange: NGSIExchange,
        pageLinks: (path: String, parameters: QueryParameters)? = nil
    )
        async throws -> Response
    {
        if exchange.accept != .geoJSON, options.geometryProperty != nil {
            throw NGSIError.badRequestData("geometryProperty is only allowed with Accept: application/geo+json")
        }
        // Without count, one entity more than the page tells whether a next page exists.
        var probe = query
        let probing = !query.count && query.limit > 0
        if probing { probe.limit += 1 }
        var page = try await services.entities.query(probe, in: exchange.brokerContext)
        var hasNext = false
        if probing, page.entities.count > query.limit {
            page.entities.removeLast(page.entities.count - query.limit)
            hasNext = true
        }
        if let total = page.totalCount { hasNext = query.offset + query.limit < total }
        let encoder = options.encoder(ldContext)
        let linked =
            options.join == nil
            ? [:]
            : try await QueryResponseSupport.linkedEntities(
                of: page.entities,
                levels: options.joinLevel,
                services: services,
                exchange: exchange
            )
        var headers = HTTPFields()
        if let total = page.totalCount { headers[.ngsildResultsCount] = String(total) }
        let body: JSON
        if exchange.accept == .geoJSON {
            body = encoder.featureCollection(
                page.entities,
                geoproperty: ldContext.expandTerm(options.geometryProperty ?? "location"),
                linked: linked
            )
        } else if options.join == .flat {
            body = .array(encoder.flatten(page.entities, linked: linked).filter { !$0.isEmpty }.map(JSON.object))
        } else {
            body = .array(
                page.entities.map { encoder.encode($0, linked: linked) }.filter { !$0.isEmpty }.map(JSON.object)
            )
        }
        var response = NGSIResponse.json(
            body,
            exchange: exchange,
            contextValue: exchange.headerContextValue,
            extraHeaders: headers
        )
        if let pageLinks {
            QueryResponseSupport.addPageLinks(
                to: &response,
                path: pageLinks.path,
                parameters: pageLinks.parameters,
                limit: query.limit,
                offset: query.offset,
                hasNext: hasNext,
                mediaType: exchange.accept.rawValue
            )
        }
        return response
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try Self.entityId(context)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let selector = try AttributesController.typeSelector(request, context: ldContext)
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityChange(id: id) { existing in
                guard let existing else { throw NGSIError.notFound("Entity \(id) not found") }
                try AttributesController.check(selector, existing)
                return nil
            },
            in: exchange.brokerContext
        )
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
        let selector = try AttributesController.typeSelector(request, context: ldContext)
        let now = services.entities.timestamp()
        let fragment = try EntityDecoder(context: ldContext, now: now).fragment(body, nulls: .merge)
        if let bodyId = fragment.id, bodyId != id {
            throw NGSIError.badRequestData("The id in the body does not match the URL")
        }
        guard !fragment.isEmpty else { throw NGSIError.badRequestData("The merge has no attributes") }
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in
                try AttributesController.check(selector, entity)
                entity.merge(fragment, now: now)
            },
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    /// `PUT` or `PATCH /entities/` without an entity id.
    @Sendable func entityIdMissing(_ request: Request, context: AppRequestContext) async throws -> Response {
        throw NGSIError.badRequestData("The entity id in the URL is missing")
    }

    /// The `{entityId}` path parameter, percent-decoded and checked to be a URI.
    static func entityId(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("entityId"), let id = raw.removingPercentEncoding,
            NameRules.isEntityId(id)
        else {
            throw .badRequestData("The entity id in the URL is not a URI")
        }
        return id
    }
}
