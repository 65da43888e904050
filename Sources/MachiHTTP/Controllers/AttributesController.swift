import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import MachiStore
import OrderedCollections
import Synchronization

/// `/ngsi-ld/v1/entities/{entityId}/attrs[/{attrId}]`: append, update, partial update, replace, delete attributes.
struct AttributesController {
    let services: NGSIServices

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post("entities/{entityId}/attrs", use: append)
        router.patch("entities/{entityId}/attrs", use: update)
        router.delete("entities/{entityId}/attrs", use: attributeMissing)
        router.patch("entities/{entityId}/attrs/{attrId}", use: patchAttribute)
        router.put("entities/{entityId}/attrs/{attrId}", use: replaceAttribute)
        router.delete("entities/{entityId}/attrs/{attrId}", use: deleteAttribute)
        // `/entities//attrs/…`: the empty entity id collapses out of the path.
        router.post("entities/attrs", use: entityIdMissing)
        router.patch("entities/attrs", use: entityIdMissing)
        router.put("entities/attrs", use: entityIdMissing)
        router.delete("entities/attrs", use: entityIdMissing)
        router.get("entities/attrs", use: entityIdMissing)
        router.patch("entities/attrs/{attrId}", use: entityIdMissing)
        router.put("entities/attrs/{attrId}", use: entityIdMissing)
        router.delete("entities/attrs/{attrId}", use: entityIdMissing)
    }

    @Sendable func append(_ request: Request, context: AppRequestContext) async throws -> Response {
        let overwrite = !(RepresentationOptions.list(request.uri.queryParameters, "options") ?? []).contains(
            "noOverwrite"
        )
        return try await writeAttributes(request, context: context, nulls: .reject) { entity, fragment, now in
            entity.append(fragment, overwrite: overwrite, now: now)
        }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await writeAttributes(request, context: context, nulls: .deleteAttributes) { entity, fragment, now in
            entity.update(fragment, now: now)
        }
    }

    /// Append and update share this: decode the fragment, apply `body`, answer 204 or 207 with what was not written.
    func writeAttributes(
        _ request: Request,
        context: AppRequestContext,
        nulls: EntityDecoder.NullHandling,
        _ body: @escaping @Sendable (inout Entity, EntityFragment, String) -> [String]
    ) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let payload = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: payload))
        let selector = try Self.typeSelector(request, context: ldContext)
        let now = services.entities.timestamp()
        let fragment = try EntityDecoder(context: ldContext, now: now).fragment(payload, nulls: nulls)
        if let bodyId = fragment.id, bodyId != id {
            throw NGSIError.badRequestData("The id in the body does not match the URL")
        }
        guard !fragment.isEmpty else { throw NGSIError.badRequestData("The payload has no attributes") }
        try await services.entities.requireTenant(exchange.brokerContext)
        let skipped = Mutex<[String]>([])
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in
                try Self.check(selector, entity)
                let notUpdated = body(&entity, fragment, now)
                skipped.withLock { $0 = notUpdated }
            },
            in: exchange.brokerContext
        )
        let notUpdated = skipped.withLock { $0 }
        guard !notUpdated.isEmpty else { return NGSIResponse.empty(.noContent, exchange: exchange) }
        func written(_ name: String) -> JSON { .string(name) }
        var updated = Array(fragment.attributes.keys.filter { !notUpdated.contains($0) })
        updated += fragment.deletions.map(\.name).filter { !notUpdated.contains($0) && !updated.contains($0) }
        let result: JSON = [
            "updated": .array(updated.map(written)),
            "notUpdated": .array(
                notUpdated.map {
                    [
                        "attributeName": written($0),
                        "reason": "not written: it exists and noOverwrite was asked, or there is nothing to update",
                    ]
                }
            ),
        ]
        return NGSIResponse.plain(result, status: HTTPResponse.Status(code: 207))
    }

    @Sendable func patchAttribute(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let attrId = try Self.attributeName(context)
        guard attrId != "scope" else { throw NGSIError.badRequestData("scope cannot be partially updated") }
        let payload = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: payload))
        let selector = try Self.typeSelector(request, context: ldContext)
        let now = services.entities.timestamp()
        let decoder = EntityDecoder(context: ldContext, now: now)
        let patch = try decoder.attributePatch(named: ldContext.expandTerm(attrId), payload)
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in
                try Self.check(selector, entity)
                try entity.patchAttribute(patch, using: decoder, now: now)
            },
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func replaceAttribute(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let attrId = try Self.attributeName(context)
        guard attrId != "scope" else { throw NGSIError.badRequestData("scope is not an attribute to replace") }
        let payload = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: payload))
        let selector = try Self.typeSelector(request, context: ldContext)
        let now = services.entities.timestamp()
        let name = ldContext.expandTerm(attrId)
        var cleaned = payload
        if case .object(var object) = payload {
            object["@context"] = nil
            cleaned = .object(object)
        }
        let instances = try EntityDecoder(context: ldContext, now: now).attribute(named: name, cleaned)
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in
                try Self.check(selector, entity)
                try entity.replaceAttribute(name, with: instances, now: now)
            },
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func deleteAttribute(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let attrId = try Self.attributeName(context)
        let parameters = request.uri.queryParameters
        let deleteAll = try RepresentationOptions.flag(parameters, "deleteAll")
        let datasetId = parameters["datasetId"].map(String.init)
        if let datasetId, !NameRules.isEntityId(datasetId) {
            throw NGSIError.badRequestData("datasetId must be a URI")
        }
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let selector = try Self.typeSelector(request, context: ldContext)
        let name = ldContext.expandTerm(attrId)
        let now = services.entities.timestamp()
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in
                try Self.check(selector, entity)
                if attrId == "scope" {
                    guard !entity.scopes.isEmpty else { throw NGSIError.notFound("Entity \(id) has no scope") }
                    entity.scopes = []
                    entity.modifiedAt = now
                } else {
                    try entity.deleteAttribute(name, datasetId: datasetId, deleteAll: deleteAll, now: now)
                }
            },
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    /// `DELETE /entities/{id}/attrs/` names no attribute: the collection itself cannot be deleted.
    @Sendable func attributeMissing(_ request: Request, context: AppRequestContext) async throws -> Response {
        throw NGSIError(.methodNotAllowed, "DELETE needs an attribute: /entities/{entityId}/attrs/{attrId}")
    }

    /// `/entities//attrs/…`: the entity id is empty.
    @Sendable func entityIdMissing(_ request: Request, context: AppRequestContext) async throws -> Response {
        throw NGSIError.badRequestData("The entity id in the URL is missing")
    }

    static func attributeName(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("attrId"), let name = raw.removingPercentEncoding,
            NameRules.isValidTerm(name)
        else {
            throw .badRequestData("Invalid attribute name in the URL")
        }
        return name
    }

    /// The optional `type` selector of attribute and entity operations (4.17), expanded.
    static func typeSelector(_ request: Request, context: JSONLDContext) throws(NGSIError) -> TypeExpression? {
        guard let text = request.uri.queryParameters["type"].map(String.init) else { return nil }
        return try TypeExpression.parse(text).expanded(context.expandTerm)
    }

    /// `ResourceNotFound` unless the entity has the selected types.
    static func check(_ selector: TypeExpression?, _ entity: Entity) throws(NGSIError) {
        if let selector, !selector.matches(entity.types) {
            throw NGSIError.notFound("Entity \(entity.id) is not of the requested type")
        }
    }
}
