import Foundation
import Hummingbird
import MachiBroker
import MachiCore
import MachiStore
import OrderedCollections
import Synchronization

/// `/ngsi-ld/v1/entityOperations/*`: batch create, upsert, update, merge, delete, and query (ETSI GS CIM 009, 5.6.7–5.6.10).
struct EntityOperationsController {
    let services: NGSIServices

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post("entityOperations/create", use: create)
        router.post("entityOperations/upsert", use: upsert)
        router.post("entityOperations/update", use: update)
        router.post("entityOperations/merge", use: merge)
        router.post("entityOperations/delete", use: delete)
        router.post("entityOperations/query", use: query)
    }

    /// One element of a batch, decoded or failed.
    struct Item {
        var id: String?
        var change: Result<EntityChange, NGSIError>
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await run(request, context: context, createdStatus: true) { decoder, element in
            EntityService.creation(try decoder.entity(element))
        }
    }

    @Sendable func upsert(_ request: Request, context: AppRequestContext) async throws -> Response {
        let options = RepresentationOptions.list(request.uri.queryParameters, "options") ?? []
        let replace = !options.contains("update")
        return try await run(request, context: context, createdStatus: true) { decoder, element in
            let entity = try decoder.entity(element)
            let now = decoder.now
            return EntityChange(id: entity.id) { existing in
                guard var current = existing else { return entity }
                if replace {
                    current.replace(with: entity, now: now)
                } else {
                    var fragment = EntityFragment()
                    fragment.attributes = entity.attributes
                    fragment.types = entity.types
                    if !entity.scopes.isEmpty { fragment.scopes = entity.scopes }
                    _ = current.append(fragment, overwrite: true, now: now)
                }
                return current
            }
        }
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let overwrite = !(RepresentationOptions.list(request.uri.queryParameters, "options") ?? []).contains(
            "noOverwrite"
        )
        let skipped = Mutex<[String: [String]]>([:])
        return try await run(
            request,
            context: context,
            createdStatus: false,
            notUpdated: { skipped.withLock { $0 } }
        ) { decoder, element in
            let fragment = try decoder.fragment(element, nulls: .reject)
            guard let id = fragment.id else { throw NGSIError.badRequestData("Every entity in a batch needs an id") }
            let now = decoder.now
            return EntityService.modification(id: id) { entity in
                let notUpdated = entity.append(fragment, overwrite: overwrite, now: now)
                skipped.withLock { $0[id] = notUpdated.isEmpty ? nil : notUpdated.map { fragment.names[$0] ?? $0 } }
            }
        }
    }

    @Sendable func merge(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await run(request, context: context, createdStatus: false) { decoder, element in
            let fragment = try decoder.fragment(element, nulls: .merge)
            guard let id = fragment.id else { throw NGSIError.badRequestData("Every entity in a batch needs an id") }
            let now = decoder.now
            return EntityService.modification(id: id) { entity in entity.merge(fragment, now: now) }
        }
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        guard let list = body.arrayValue, !list.isEmpty else {
            throw NGSIError.badRequestData("The body must be a non-empty array of entity ids")
        }
        guard list.count <= services.limits.maxBatchSize else {
            throw NGSIError.badRequestData("A batch holds at most \(services.limits.maxBatchSize) entities")
        }
        let items = list.map { element -> Item in
            guard let id = element.stringValue, NameRules.isEntityId(id) else {
                return Item(
                    id: element.stringValue,
                    change: .failure(.badRequestData("\(element) is not an entity id"))
                )
            }
            return Item(id: id, change: .success(EntityService.deletion(id: id)))
        }
        try await services.entities.requireTenant(exchange.brokerContext)
        return try await execute(items, exchange: exchange, createdStatus: false)
    }

    @Sendable func query(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(
            request,
            context: context,
            limits: services.limits,
            offered: [.json, .jsonLD, .geoJSON]
        )
        let body = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        let parameters = RepresentationOptions.formParameters(request.uri)
        var options = try RepresentationOptions(parameters)
        if case .object(let object) = body {
            if let attrs = object["attrs"].flatMap(RepresentationOptions.strings), !attrs.isEmpty {
                options.attrs = attrs
            }
            try options.apply(body: object)
        }
        let query = try EntityQueryBuilder(context: ldContext, limits: services.limits).query(
            body: body,
            parameters: parameters
        )
        return try await EntitiesController(services: services)
            .respond(query: query, options: options, context: ldContext, exchange: exchange)
    }

    /// Decodes each element with its own @context, applies all changes in one store call, and answers per spec.
    func run(
        _ request: Request,
        context: AppRequestContext,
        createdStatus: Bool,
        notUpdated: () -> [String: [String]] = { [:] },
        _ makeChange: (EntityDecoder, JSON) throws -> EntityChange
    ) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        guard let list = body.arrayValue else {
            throw NGSIError.badRequestData("The body must be an array of entities")
        }
        guard !list.isEmpty else { throw NGSIError.badRequestData("The batch is empty") }
        guard list.count <= services.limits.maxBatchSize else {
            throw NGSIError.badRequestData("A batch holds at most \(services.limits.maxBatchSize) entities")
        }
        if exchange.bodyType == .jsonLD, exchange.linkContextURL != nil {
            throw NGSIError.badRequestData(
                "A body of type application/ld+json must not come with a JSON-LD context Link header"
            )
        }
        if let index = list.firstIndex(where: { $0.objectValue == nil }) {
            throw NGSIError.badRequestData("Element \(index) of the batch is \(list[index].kindName), not an entity")
        }
        let now = services.entities.timestamp()
        var items: [Item] = []
        items.reserveCapacity(list.count)
        for element in list {
            let id = element["id"]?.stringValue
            do {
                let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: element))
                let change = try makeChange(EntityDecoder(context: ldContext, now: now), element)
                items.append(Item(id: change.id, change: .success(change)))
            } catch let error as NGSIError {
                items.append(Item(id: id, change: .failure(error)))
            }
        }
        return try await execute(items, exchange: exchange, createdStatus: createdStatus, notUpdated: notUpdated)
    }

    func execute(
        _ items: [Item],
        exchange: NGSIExchange,
        createdStatus: Bool,
        notUpdated: () -> [String: [String]] = { [:] }
    ) async throws -> Response {
        let changes = items.compactMap { try? $0.change.get() }
        let results = changes.isEmpty ? [] : try await services.entities.apply(changes, in: exchange.brokerContext)
        let skipped = notUpdated()
        var resultIterator = results.makeIterator()
        var successes: [String] = []
        var created: [String] = []
        var errors: [JSON] = []
        for item in items {
            var outcome: Result<EntityChangeResult, NGSIError>
            switch item.change {
            case .failure(let error): outcome = .failure(error)
            case .success: outcome = resultIterator.next() ?? .failure(NGSIError(.internalError, "missing result"))
            }
            if case .success = outcome, let id = item.id, let names = skipped[id] {
                outcome = .failure(
                    .badRequestData(
                        "Not updated (existing, noOverwrite asked): \(names.joined(separator: ", "))"
                    )
                )
            }
            switch outcome {
            case .success(let result):
                successes.append(item.id ?? "")
                if result.before == nil, result.after != nil { created.append(item.id ?? "") }
            case .failure(let error):
                var entry: JSONObject = ["error": error.problemDetails]
                entry["entityId"] = item.id.map(JSON.string) ?? .null
                errors.append(.object(entry))
            }
        }
        if errors.isEmpty {
            if createdStatus, !created.isEmpty {
                return NGSIResponse.plain(.array(created.map(JSON.string)), status: .created)
            }
            return NGSIResponse.empty(.noContent, exchange: exchange)
        }
        return NGSIResponse.plain(
            ["success": .array(successes.map(JSON.string)), "errors": .array(errors)],
            status: HTTPResponse.Status(code: 207)
        )
    }
}
