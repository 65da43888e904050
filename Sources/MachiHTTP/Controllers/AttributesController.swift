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
        router.patch("entities/{entityId}/attrs/{attrId}", use: patchAttribute)
        router.put("entities/{entityId}/attrs/{attrId}", use: replaceAttribute)
        router.delete("entities/{entityId}/attrs/{attrId}", use: deleteAttribute)
    }

    @Sendable func append(_ request: Request, context: AppRequestContext) async throws -> Response {
        let overwrite = !(RepresentationOptions.list(request.uri.queryParameters, "options") ?? []).contains(
            "noOverwrite"
        )
        return try await writeAttributes(request, context: context) { entity, fragment, now in
            entity.append(fragment, overwrite: overwrite, now: now)
        }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await writeAttributes(request, context: context) { entity, fragment, now in
            entity.update(fragment, now: now)
        }
    }

    /// Append and update share this: decode the fragment, apply `body`, answer 204 or 207 with what was not written.
    func writeAttributes(
        _ request: Request,
        context: AppRequestContext,
        _ body: @escaping @Sendable (inout Entity, EntityFragment, String) -> [String]
    ) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let payload = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: payload))
        let now = services.entities.timestamp()
        let fragment = try EntityDecoder(context: ldContext, now: now).fragment(payload, allowDeletion: false)
        if let bodyId = fragment.id, bodyId != id {
            throw NGSIError.badRequestData("The id in the body does not match the URL")
        }
        guard !fragment.attributes.isEmpty else { throw NGSIError.badRequestData("The payload has no attributes") }
        try await services.entities.requireTenant(exchange.brokerContext)
        let skipped = Mutex<[String]>([])
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in
                let notUpdated = body(&entity, fragment, now)
                skipped.withLock { $0 = notUpdated }
            },
            in: exchange.brokerContext
        )
        let notUpdated = skipped.withLock { $0 }
        guard !notUpdated.isEmpty else { return NGSIResponse.empty(.noContent, exchange: exchange) }
        let updated = fragment.attributes.keys.filter { !notUpdated.contains($0) }
        let result: JSON = [
            "updated": .array(updated.map { .string(ldContext.compactIRI($0)) }),
            "notUpdated": .array(
                notUpdated.map {
                    [
                        "attributeName": .string(ldContext.compactIRI($0)),
                        "reason": "attribute not written (exists with noOverwrite, or does not exist for update)",
                    ]
                }
            ),
        ]
        return NGSIResponse.plain(result, status: HTTPResponse.Status(code: 207))
    }

    @Sendable func patchAttribute(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await writeAttribute(request, context: context) { entity, name, instances, now in
            try entity.patchAttribute(name, with: instances, now: now)
        }
    }

    @Sendable func replaceAttribute(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await writeAttribute(request, context: context) { entity, name, instances, now in
            try entity.replaceAttribute(name, with: instances, now: now)
        }
    }

    func writeAttribute(
        _ request: Request,
        context: AppRequestContext,
        _ body: @escaping @Sendable (inout Entity, String, [Attribute], String) throws -> Void
    ) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let attrId = try Self.attributeName(context)
        let payload = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: payload))
        let now = services.entities.timestamp()
        let name = ldContext.expandTerm(attrId)
        var cleaned = payload
        if case .object(var object) = payload {
            object["@context"] = nil
            cleaned = .object(object)
        }
        guard
            let instances = try EntityDecoder(context: ldContext, now: now).attribute(
                named: name,
                cleaned,
                allowDeletion: false
            )
        else { throw NGSIError.badRequestData("The attribute is null") }
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in try body(&entity, name, instances, now) },
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
        if let datasetId, !NameRules.isURI(datasetId) { throw NGSIError.badRequestData("datasetId must be a URI") }
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let name = ldContext.expandTerm(attrId)
        let now = services.entities.timestamp()
        try await services.entities.requireTenant(exchange.brokerContext)
        _ = try await services.entities.applyOne(
            EntityService.modification(id: id) { entity in
                try entity.deleteAttribute(name, datasetId: datasetId, deleteAll: deleteAll, now: now)
            },
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    static func attributeName(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("attrId"), let name = raw.removingPercentEncoding,
            NameRules.isValidName(name)
        else {
            throw .badRequestData("Invalid attribute name in the URL")
        }
        return name
    }
}
