import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import MachiBroker
import MachiCore
import OrderedCollections

/// `/ngsi-ld/v1/temporal/entities` and `/temporal/entityOperations/query`: the temporal evolution of entities
/// (ETSI GS CIM 009, 5.6.11–5.6.16, 5.7.3–5.7.4, 6.18–6.24).
struct TemporalController {
    let services: NGSIServices
    let temporal: TemporalService

    func register(on router: RouterGroup<AppRequestContext>) {
        router.post("temporal/entities", use: createOrUpdate)
        router.get("temporal/entities", use: query)
        router.get("temporal/entities/{entityId}", use: retrieve)
        router.delete("temporal/entities/{entityId}", use: delete)
        router.post("temporal/entities/{entityId}/attrs", use: addAttributes)
        router.delete("temporal/entities/{entityId}/attrs/{attrId}", use: deleteAttribute)
        router.patch("temporal/entities/{entityId}/attrs/{attrId}/{instanceId}", use: updateInstance)
        router.delete("temporal/entities/{entityId}/attrs/{attrId}/{instanceId}", use: deleteInstance)
        router.post("temporal/entityOperations/query", use: queryBody)
        router.delete("temporal/entities", use: methodNotAllowed)
        router.patch("temporal/entities", use: methodNotAllowed)
        router.patch("temporal/entities/{entityId}/attrs/{attrId}", use: methodNotAllowed)
        router.delete("temporal/entities/{entityId}/attrs", use: methodNotAllowed)
        // `/temporal/entities//attrs/…`: the router folds the empty entity id away.
        router.post("temporal/entities/attrs", use: entityIdMissing)
        router.delete("temporal/entities/attrs/{attrId}", use: entityIdMissing)
        router.patch("temporal/entities/attrs/{attrId}/{instanceId}", use: entityIdMissing)
        router.delete("temporal/entities/attrs/{attrId}/{instanceId}", use: entityIdMissing)
    }

    /// `/temporal/entities//attrs/…`: the entity id is empty.
    @Sendable func entityIdMissing(_ request: Request, context: AppRequestContext) async throws -> Response {
        throw NGSIError.badRequestData("The entity id in the URL is missing")
    }

    /// An operation on a collection that needs an id (an entity, an attribute instance).
    @Sendable func methodNotAllowed(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(
            status: .methodNotAllowed,
            headers: [.allow: "GET, POST"],
            body: NGSIResponse.problem(.badRequestData("The operation needs an id in the URL")).body
        )
    }

    @Sendable func createOrUpdate(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let body = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        let payload = try EntityDecoder(context: ldContext, now: services.entities.timestamp()).temporalPayload(body)
        let created = try await temporal.createOrUpdate(payload, in: exchange.brokerContext)
        guard created else { return NGSIResponse.empty(.noContent, exchange: exchange) }
        var headers = HTTPFields()
        headers[.location] = "/ngsi-ld/v1/temporal/entities/\(payload.id)"
        return NGSIResponse.empty(.created, exchange: exchange, headers: headers)
    }

    @Sendable func retrieve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits, offered: [.json, .jsonLD])
        try await services.entities.requireTenant(exchange.brokerContext)
        let id = try EntitiesController.entityId(context)
        let parameters = RepresentationOptions.formParameters(request.uri)
        try Self.validateRepresentation(parameters)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let temporalQuery = try Self.temporalQuery(parameters, context: ldContext, requireRelation: false)
        let entity = try await temporal.entity(id: id, query: temporalQuery, in: exchange.brokerContext)
        let encoder = try Self.encoder(parameters, context: ldContext)
        let (cut, range) = Self.pagination.apply([entity], temporalQuery)
        let body = encoder.encode(cut[0], query: temporalQuery)
        // Asking for attributes (attrs, pick, omit) of which nothing is left finds nothing.
        let asked = temporalQuery.attributes != nil || parameters["pick"] != nil || parameters["omit"] != nil
        if asked, !Self.hasAttributes(body) {
            throw NGSIError.notFound("Entity \(id) has none of the requested attributes in its temporal evolution")
        }
        return Self.response(.object(body), range: range, exchange: exchange)
    }

    @Sendable func query(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits, offered: [.json, .jsonLD])
        try await services.entities.requireTenant(exchange.brokerContext)
        let parameters = RepresentationOptions.formParameters(request.uri)
        try Self.validateRepresentation(parameters)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let builder = EntityQueryBuilder(context: ldContext, limits: services.limits)
        var selection = try builder.page(parameters)
        if let ids = RepresentationOptions.list(parameters, "id") {
            for id in ids where !NameRules.isURI(id) { throw NGSIError.badRequestData("The id \"\(id)\" is not a URI") }
            selection.ids = ids
        }
        if let pattern = parameters["idPattern"] {
            selection.idPattern = try FilterDecoder.validatedPattern(String(pattern))
        }
        if let type = parameters["type"], type != "*" { selection.types = try builder.parseTypes(String(type)) }
        let temporalQuery = try Self.temporalQuery(parameters, context: ldContext, requireRelation: false)
        var q: QueryExpression?
        if let text = parameters["q"] { q = try builder.parseQ(String(text)) }
        if let depth = q?.linkedEntityDepth, depth > 0 {
            throw NGSIError.badRequestData("Linked Entity terms (rel{…}) are not allowed in a temporal query")
        }
        if let csf = parameters["csf"] { _ = try EntityQueryBuilder.validatedContextSourceFilter(String(csf)) }
        selection.q = q
        if let scopeQ = parameters["scopeQ"] { selection.scopeQ = try builder.parseScope(String(scopeQ)) }
        selection.geo = try builder.geoQuery(
            georel: parameters["georel"].map(String.init),
            geometry: parameters["geometry"].map(String.init),
            coordinates: parameters["coordinates"].map { .string(String($0)) },
            geoproperty: parameters["geoproperty"].map(String.init)
        )
        let names = RepresentationOptions.list(parameters, "attrs")
        guard
            parameters["type"] != nil || EntityQueryBuilder.narrows(names) || EntityQueryBuilder.narrows(q)
                || parameters["georel"] != nil || parameters["scopeQ"] != nil || parameters["local"] == "true"
        else {
            throw NGSIError.badRequestData("A temporal query needs at least one of type, attrs, q, geoQ or scopeQ")
        }
        return try await respond(
            selection,
            temporalQuery,
            parameters: parameters,
            context: ldContext,
            exchange: exchange
        )
    }

    @Sendable func queryBody(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(
            request,
            context: context,
            limits: services.limits,
            offered: [.json, .jsonLD]
        )
        try await services.entities.requireTenant(exchange.brokerContext)
        let body = try await exchange.readBody()
        guard case .object(let object) = body else { throw NGSIError.badRequestData("The Query must be a JSON object") }
        let parameters = RepresentationOptions.formParameters(request.uri)
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        let builder = EntityQueryBuilder(context: ldContext, limits: services.limits)
        var selection = try builder.page(parameters)
        if let entities = object["entities"]?.arrayValue {
            let selectors = try entities.map { element throws(NGSIError) in try builder.selector(element) }
            if selectors.count == 1 {
                selection.ids = selectors[0].ids
                selection.idPattern = selectors[0].idPattern
                selection.types = selectors[0].types
            } else {
                selection.selectors = selectors
            }
        }
        if let q = object["q"] {
            guard let text = q.stringValue else { throw NGSIError.badRequestData("q must be a string") }
            selection.q = try builder.parseQ(text)
        }
        if let geoQ = object["geoQ"] { selection.geo = try builder.filters.geoQuery(object: geoQ) }
        if let scopeQ = object["scopeQ"] {
            guard let text = scopeQ.stringValue else { throw NGSIError.badRequestData("scopeQ must be a string") }
            selection.scopeQ = try builder.parseScope(text)
        }
        // The body's temporalQ and attrs read like the URL parameters.
        var merged: [(String, String)] = []
        if case .object(let temporalQ)? = object["temporalQ"] {
            for (key, value) in temporalQ {
                if let text = value.stringValue {
                    merged.append((key, text))
                } else if let number = value.numberValue {
                    merged.append((key, number == number.rounded() ? String(Int(number)) : String(number)))
                } else if let list = value.arrayValue {
                    merged.append((key, list.compactMap(\.stringValue).joined(separator: ",")))
                } else {
                    throw NGSIError.badRequestData("temporalQ.\(key) must be a string or a number")
                }
            }
        } else if object["temporalQ"] != nil {
            throw NGSIError.badRequestData("temporalQ must be an object")
        }
        // aggrParams (5.2.44): aggrMethods as an array or a comma-separated string, aggrPeriodDuration.
        if case .object(let aggrParams)? = object["aggrParams"] {
            for (key, value) in aggrParams where ["aggrMethods", "aggrPeriodDuration"].contains(key) {
                if let text = value.stringValue {
                    merged.append((key, text))
                } else if let list = value.arrayValue, list.allSatisfy({ $0.stringValue != nil }) {
                    merged.append((key, list.compactMap(\.stringValue).joined(separator: ",")))
                } else {
                    throw NGSIError.badRequestData("aggrParams.\(key) must be a string or an array of strings")
                }
            }
        } else if object["aggrParams"] != nil {
            throw NGSIError.badRequestData("aggrParams must be an object")
        }
        if let attrs = object["attrs"] {
            merged.append(("attrs", (FilterDecoder.strings(attrs) ?? []).joined(separator: ",")))
        }
        var all = Dictionary(uniqueKeysWithValues: parameters.map { (String($0.key), String($0.value)) })
        for (key, value) in merged { all[key] = value }
        // The body has no `options`: aggregation methods in it ask for the aggregated representation, unless the
        // URL chose a representation.
        if merged.contains(where: { $0.0 == "aggrMethods" }), all["format"] == nil,
            !Self.options(parameters).contains("aggregatedValues")
        {
            all["format"] = "aggregatedValues"
        }
        let flat = FlatDictionary(all.map { (Substring($0.key), Substring($0.value)) })
        let temporalQuery = try Self.temporalQuery(flat, context: ldContext, requireRelation: false)
        return try await respond(selection, temporalQuery, parameters: flat, context: ldContext, exchange: exchange)
    }

    private func respond(
        _ selection: EntityQuery,
        _ temporalQuery: TemporalQuery,
        parameters: FlatDictionary<Substring, Substring>,
        context ldContext: JSONLDContext,
        exchange: NGSIExchange
    ) async throws -> Response {
        // Geo-queries and ordering need every match before the page is cut.
        var everything = selection
        everything.q = nil
        everything.scopeQ = nil
        let needsAll =
            selection.geo != nil || selection.q != nil || selection.scopeQ != nil || parameters["orderBy"] != nil
        if needsAll {
            everything.offset = 0
            everything.limit = Int.max
        }
        // A geo-query places each entity by its latest GeoProperty instance, whatever the time window: read them all.
        var window = temporalQuery
        if selection.geo != nil {
            window.relation = nil
            window.lastN = nil
            window.attributes = nil
        }
        var page = try await temporal.entities(matching: everything, temporal: window, in: exchange.brokerContext)
        if needsAll {
            var entities = page.entities
            if let geo = selection.geo {
                // The entity is where its latest GeoProperty instance says.
                entities = entities.filter { entity in
                    guard let instance = entity.instances[geo.geoproperty]?.max(by: { $0.sequence < $1.sequence })
                    else {
                        return false
                    }
                    let latest = Entity(
                        id: entity.id,
                        types: entity.types,
                        attributes: [geo.geoproperty: [instance.attribute]]
                    )
                    return EntityQuery(geo: geo).matches(latest)
                }
            }
            if let q = selection.q {
                // 5.7.4.4: q is checked against the instances the temporal filters selected; a term holds when
                // one of its attribute's selected instances satisfies it.
                entities = entities.filter { entity in
                    var selected = Entity(id: entity.id, types: entity.types)
                    for (name, instances) in entity.instances {
                        let kept = temporalQuery.select(instances)
                        if !kept.isEmpty { selected.attributes[name] = kept.map(\.attribute) }
                    }
                    return EntityQuery(q: q).matches(selected)
                }
            }
            if let scopeQ = selection.scopeQ {
                // 5.7.4.4 S4: a scope valid in the window must match; the instances are cut to when it was valid.
                entities = entities.compactMap { TemporalScope.restrict($0, to: scopeQ, temporalQuery) }
            }
            if let orderBy = parameters["orderBy"] {
                let descending = orderBy.hasSuffix(";desc")
                entities.sort { descending ? $0.id > $1.id : $0.id < $1.id }
            }
            page = (Array(entities.dropFirst(selection.offset).prefix(selection.limit)), entities.count)
        }
        let encoder = try Self.encoder(parameters, context: ldContext)
        let (cut, range) = Self.pagination.apply(page.entities, temporalQuery)
        // An entity none of whose instances is selected (by time or attrs) is not a result.
        let items = cut.map { encoder.encode($0, query: temporalQuery) }.filter(Self.hasAttributes).map(JSON.object)
        var headers = HTTPFields()
        if selection.count { headers[.ngsildResultsCount] = String(page.total) }
        return Self.response(.array(items), range: range, headers: headers, exchange: exchange)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        try await services.entities.requireTenant(exchange.brokerContext)
        try await temporal.delete(id: try EntitiesController.entityId(context), in: exchange.brokerContext)
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func addAttributes(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let body = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        let payload = try EntityDecoder(context: ldContext, now: services.entities.timestamp())
            .temporalPayload(body, requireIdentity: false)
        try await temporal.addAttributes(to: id, payload.instances, in: exchange.brokerContext)
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func deleteAttribute(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        // `/attrs//{instanceId}`: the router folds the empty attribute name away and the instance id lands here.
        if request.uri.path.contains("/attrs//") {
            throw NGSIError.badRequestData("The attribute name in the URL is missing")
        }
        let id = try EntitiesController.entityId(context)
        let parameters = RepresentationOptions.formParameters(request.uri)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let name = ldContext.expandTerm(try Self.attributeName(context))
        let deleteAll = try RepresentationOptions.flag(parameters, "deleteAll")
        try await temporal.deleteAttribute(
            entityId: id,
            name: name,
            datasetId: parameters["datasetId"].map(String.init),
            deleteAll: deleteAll,
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func updateInstance(_ request: Request, context: AppRequestContext) async throws -> Response {
        var exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let instanceId = try Self.instanceId(context)
        let body = try await exchange.readBody()
        let ldContext = try await services.contexts.context(for: try exchange.contextValue(of: body))
        let name = ldContext.expandTerm(try Self.attributeName(context))
        guard case .object(let object) = body else { throw NGSIError.badRequestData("The fragment must be an object") }
        let compactName = context.parameters.get("attrId")?.removingPercentEncoding ?? name
        // The fragment is the instance itself, or an object holding it under the attribute's name.
        let isInstance = object["type"]?.stringValue.flatMap(AttributeKind.init(rawValue:)) != nil
        guard let value = isInstance ? body : (object[compactName] ?? object[name]) else {
            throw NGSIError.badRequestData("The fragment must hold the attribute \(compactName)")
        }
        let instances = try EntityDecoder(context: ldContext, now: services.entities.timestamp())
            .attribute(named: name, value)
        guard instances.count == 1 else { throw NGSIError.badRequestData("The fragment must hold one instance") }
        try await temporal.updateInstance(
            entityId: id,
            name: name,
            instanceId: instanceId,
            patch: instances[0],
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    @Sendable func deleteInstance(_ request: Request, context: AppRequestContext) async throws -> Response {
        let exchange = try NGSIExchange(request, context: context, limits: services.limits)
        let id = try EntitiesController.entityId(context)
        let ldContext = try await services.contexts.context(for: exchange.headerContextValue)
        let name = ldContext.expandTerm(try Self.attributeName(context))
        try await temporal.deleteInstance(
            entityId: id,
            name: name,
            instanceId: try Self.instanceId(context),
            in: exchange.brokerContext
        )
        return NGSIResponse.empty(.noContent, exchange: exchange)
    }

    // MARK: - Parameters

    /// The attribute name in the URL, checked as an attribute name in a payload (4.6.2): dot segments and names
    /// still percent-encoded after decoding are not names.
    static func attributeName(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("attrId"), let name = raw.removingPercentEncoding,
            NameRules.isValidTerm(name)
        else { throw .badRequestData("The attribute name in the URL is not valid") }
        return name
    }

    static func instanceId(_ context: AppRequestContext) throws(NGSIError) -> String {
        guard let raw = context.parameters.get("instanceId"), let id = raw.removingPercentEncoding, NameRules.isURI(id)
        else { throw .badRequestData("The instance id in the URL is not a URI") }
        return id
    }

    /// The representation parameters shared with entity retrieval (`options`, `format`, `pick`, `omit`, `attrs`,
    /// `lang`, …) are checked as there; `orderBy` and linked projections have no meaning for a temporal result.
    static func validateRepresentation(_ parameters: FlatDictionary<Substring, Substring>) throws(NGSIError) {
        var shared: [(Substring, Substring)] = []
        for (key, value) in parameters {
            if key == "format", value == "temporalValues" || value == "aggregatedValues" { continue }
            shared.append((key, value))
        }
        let options = try RepresentationOptions(FlatDictionary(shared))
        if options.join != nil || (options.pick?.depth ?? 0) > 0 || (options.omit?.depth ?? 0) > 0 {
            throw .badRequestData("Linked Entity projections and join do not apply to temporal representations")
        }
        if let orderBy = parameters["orderBy"], orderBy != "id", orderBy != "id;asc", orderBy != "id;desc" {
            throw .badRequestData("A temporal query can only be ordered by id")
        }
    }

    /// A temporal result: `206 Partial Content` with `Content-Range` when pagination cut it.
    static func response(
        _ body: JSON,
        range: TemporalPagination.Range?,
        headers: HTTPFields = [:],
        exchange: NGSIExchange
    ) -> Response {
        var headers = headers
        if let range { headers[HTTPField.Name("Content-Range")!] = range.header }
        return NGSIResponse.json(
            body,
            status: range == nil ? .ok : .partialContent,
            exchange: exchange,
            contextValue: exchange.headerContextValue,
            extraHeaders: headers
        )
    }

    /// Whether an encoded temporal entity has anything besides its identity and timestamps.
    static func hasAttributes(_ object: JSONObject) -> Bool {
        object.keys.contains { !["id", "type", "createdAt", "modifiedAt", "scope"].contains($0) }
    }

    /// At most this many attribute instances per entity in one response (6.3.10); more answer 206 with a
    /// `Content-Range`.
    static let pagination = TemporalPagination(limit: 30)

    /// The temporal encoder for the request's representation parameters.
    static func encoder(
        _ parameters: FlatDictionary<Substring, Substring>,
        context: JSONLDContext
    ) throws(NGSIError) -> TemporalEncoder {
        var encoder = TemporalEncoder(
            context: context,
            sysAttrs: options(parameters).contains("sysAttrs"),
            lang: parameters["lang"].map(String.init)
        )
        let expand = { (name: String) in ["id", "type"].contains(name) ? name : context.expandTerm(name) }
        if let pick = parameters["pick"] { encoder.pick = Set(try Projection.parse(String(pick)).names.map(expand)) }
        if let omit = parameters["omit"] {
            encoder.omit = Set(try Projection.parse(String(omit), parameter: "omit").names.map(expand))
        }
        return encoder
    }

    static func options(_ parameters: FlatDictionary<Substring, Substring>) -> Set<String> {
        Set((parameters["options"] ?? "").split(separator: ",").map(String.init))
    }

    /// `timerel`, `timeAt`, `endTimeAt`, `timeproperty`, `lastN`, `attrs`, and the representation (`options` or
    /// `format` `temporalValues` / `aggregatedValues` with `aggrMethods` and `aggrPeriodDuration`).
    static func temporalQuery(
        _ parameters: FlatDictionary<Substring, Substring>,
        context: JSONLDContext,
        requireRelation: Bool
    ) throws(NGSIError) -> TemporalQuery {
        var query = TemporalQuery()
        func time(_ name: String) throws(NGSIError) -> Date? {
            guard let text = parameters[Substring(name)] else { return nil }
            guard let date = DateTimeText.parse(String(text)) else {
                throw .badRequestData("\(name) must be a DateTime")
            }
            return date
        }
        let timeAt = try time("timeAt")
        let endTimeAt = try time("endTimeAt")
        if let timerel = parameters["timerel"] {
            guard let timeAt else { throw .badRequestData("timerel needs timeAt") }
            switch timerel {
            case "before": query.relation = .before(timeAt)
            case "after": query.relation = .after(timeAt)
            case "between":
                guard let endTimeAt else { throw .badRequestData("timerel=between needs endTimeAt") }
                guard endTimeAt > timeAt else { throw .badRequestData("endTimeAt must be after timeAt") }
                query.relation = .between(timeAt, endTimeAt)
            default: throw .badRequestData("timerel must be before, after or between")
            }
        } else if requireRelation {
            throw .badRequestData("A temporal query needs timerel")
        } else if timeAt != nil || endTimeAt != nil {
            throw .badRequestData("timeAt and endTimeAt need timerel")
        }
        if let property = parameters["timeproperty"] {
            guard let value = TemporalQuery.TimeProperty(rawValue: String(property)) else {
                throw .badRequestData("timeproperty must be observedAt, createdAt or modifiedAt")
            }
            query.timeProperty = value
        }
        if let lastN = parameters["lastN"] {
            guard let value = Int(lastN), value > 0 else { throw .badRequestData("lastN must be a positive integer") }
            query.lastN = value
        }
        if let list = RepresentationOptions.list(parameters, "datasetId") { query.datasetIds = Set(list) }
        if let attrs = parameters["attrs"] {
            let names = attrs.split(separator: ",").map(String.init)
            guard !names.isEmpty, names.allSatisfy(NameRules.isValidName) else {
                throw .badRequestData("attrs must be a list of attribute names")
            }
            query.attributes = Set(names.map(context.expandTerm))
        }
        // `format` takes precedence over the representation `options` name (6.3.12).
        let listed = Self.options(parameters)
        let options = parameters["format"].map { [String($0)] } ?? listed
        if options.contains("aggregatedValues") {
            guard let text = parameters["aggrMethods"], !text.isEmpty else {
                throw .badRequestData("aggregatedValues needs aggrMethods")
            }
            var methods: [AggregationMethod] = []
            for name in text.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                guard let method = AggregationMethod(rawValue: trimmed) else {
                    throw .badRequestData("aggrMethods: unknown aggregation method \(trimmed)")
                }
                methods.append(method)
            }
            var period: TimeInterval?
            if let text = parameters["aggrPeriodDuration"] {
                guard let seconds = ISODuration.seconds(String(text)), seconds >= 0 else {
                    throw .badRequestData("aggrPeriodDuration must be an ISO 8601 duration")
                }
                // PT0S (the default) aggregates the whole time window as one period.
                period = seconds > 0 ? seconds : nil
            }
            query.representation = .aggregated(methods: methods, period: period)
        } else if !options.isDisjoint(with: ["temporalValues", "keyValues", "simplified"]) {
            query.representation = .temporalValues
        } else if parameters["aggrMethods"] != nil, !listed.contains("aggregatedValues") {
            throw .badRequestData("aggrMethods needs options=aggregatedValues")
        }
        return query
    }
}
