import Foundation
import Hummingbird
import HummingbirdCore
import MachiCore
import OrderedCollections

/// Builds an `EntityQuery` from URL parameters (`GET /entities`) or a Query body (`POST /entityOperations/query`),
/// expanding every name with the request's context.
struct EntityQueryBuilder {
    let context: JSONLDContext
    let limits: APILimits

    /// Names that are Entity members or system attributes: `attrs` or `q` on them alone do not narrow a query.
    static let systemNames: Set<String> = [
        "id", "type", "scope", "createdAt", "modifiedAt", "deletedAt", "expiresAt",
        "https://uri.etsi.org/ngsi-ld/createdAt", "https://uri.etsi.org/ngsi-ld/modifiedAt",
        "https://uri.etsi.org/ngsi-ld/deletedAt", "https://uri.etsi.org/ngsi-ld/expiresAt", "@id", "@type",
    ]

    /// The filters of `GET /entities`.
    func query(_ parameters: FlatDictionary<Substring, Substring>) throws(NGSIError) -> EntityQuery {
        var query = try page(parameters)
        if let ids = RepresentationOptions.list(parameters, "id") {
            for id in ids where !NameRules.isURI(id) { throw .badRequestData("The id \"\(id)\" is not a URI") }
            query.ids = ids
        }
        if let pattern = parameters["idPattern"] { query.idPattern = try Self.validatedPattern(String(pattern)) }
        if let type = parameters["type"], type != "*" {
            query.types = try parseTypes(String(type))
        }
        var attrs: [String]?
        if let list = RepresentationOptions.list(parameters, "attrs") {
            attrs = list
            query.attributes = list.map(context.expandTerm)
        }
        let expandValues = RepresentationOptions.list(parameters, "expandValues")
        if let q = parameters["q"] { query.q = try parseQ(String(q), expandValues: expandValues) }
        if let scopeQ = parameters["scopeQ"] { query.scopeQ = try parseScope(String(scopeQ)) }
        query.geo = try geoQuery(
            georel: parameters["georel"].map(String.init),
            geometry: parameters["geometry"].map(String.init),
            coordinates: parameters["coordinates"].map { .string(String($0)) },
            geoproperty: parameters["geoproperty"].map(String.init)
        )
        if let orderBy = RepresentationOptions.list(parameters, "orderBy") {
            query.ordering = try ordering(
                orderBy,
                coordinates: parameters["orderFrom"].map { .string(String($0)) },
                geometry: parameters["geometry"].map(String.init),
                collation: parameters["collation"].map(String.init)
            )
        } else if parameters["collation"] != nil || parameters["orderFrom"] != nil {
            if let collation = parameters["collation"], !EntityOrdering.isLanguageTag(String(collation)) {
                throw .badRequestData("collation \"\(collation)\" is not a BCP 47 language tag")
            }
        }
        if let csf = parameters["csf"] { _ = try Self.validatedContextSourceFilter(String(csf)) }
        try checkLinkedDepth(
            query.q,
            join: parameters["join"].map(String.init),
            joinLevel: parameters["joinLevel"].map { .string(String($0)) }
        )
        if parameters["type"] == "*", parameters["local"] == "false" {
            throw .badRequestData("type=* cannot be combined with local=false")
        }
        let hasFilter =
            parameters["type"] != nil || Self.narrows(attrs) || Self.narrows(query.q) || query.geo != nil
            || query.scopeQ != nil || parameters["local"] == "true"
        guard hasFilter else {
            throw .badRequestData(
                "A query needs at least one of type, attrs, q (on non-system attributes), geoQ, scopeQ or local=true"
            )
        }
        return query
    }

    /// Whether `attrs` names at least one attribute that is not an Entity member or system attribute.
    static func narrows(_ attrs: [String]?) -> Bool {
        guard let attrs else { return false }
        return attrs.contains { !systemNames.contains($0) }
    }

    /// Whether `q` looks at at least one attribute that is not a system attribute.
    static func narrows(_ q: QueryExpression?) -> Bool {
        guard let q else { return false }
        return q.attributeNames.contains { !systemNames.contains($0) }
    }

    /// Linked-entity terms (`rel{…}`) in `q` need `join`, and may follow at most `joinLevel` hops.
    func checkLinkedDepth(_ q: QueryExpression?, join: String?, joinLevel: JSON?) throws(NGSIError) {
        guard let depth = q?.linkedEntityDepth, depth > 0 else { return }
        guard join != nil else {
            throw .badRequestData("q uses Linked Entity attributes (rel{…}) but no join is requested")
        }
        let level = try joinLevel.map { value throws(NGSIError) in try RepresentationOptions.joinLevel(value) } ?? 1
        guard depth <= level else {
            throw .badRequestData("q follows \(depth) Linked Entity levels, more than joinLevel \(level)")
        }
    }

    /// The filters of a Query body (`POST /entityOperations/query`), paginated by URL parameters.
    func query(body: JSON, parameters: FlatDictionary<Substring, Substring>) throws(NGSIError) -> EntityQuery {
        guard case .object(let object) = body else { throw .badRequestData("The Query must be a JSON object") }
        if let type = object["type"], type.stringValue != "Query" {
            throw .badRequestData("The Query's type must be \"Query\"")
        }
        var query = try page(parameters)
        var narrowed = false
        if let selectors = object["entities"] {
            guard let list = selectors.arrayValue, !list.isEmpty else {
                throw .badRequestData("entities must be a non-empty array")
            }
            let parsed = try list.map { element throws(NGSIError) in try selector(element) }
            if parsed.count == 1 {
                query.ids = parsed[0].ids
                query.idPattern = parsed[0].idPattern
                query.types = parsed[0].types
            } else {
                query.selectors = parsed
            }
            narrowed = true
        }
        if let attrs = object["attrs"] {
            guard let list = RepresentationOptions.strings(attrs), !list.isEmpty else {
                throw .badRequestData("attrs must be a non-empty array of names")
            }
            for name in list where !NameRules.isValidName(name) {
                throw .badRequestData("Invalid attribute name \"\(name)\"")
            }
            query.attributes = list.map(context.expandTerm)
            narrowed = narrowed || Self.narrows(list)
        }
        if let q = object["q"] {
            guard let text = q.stringValue else { throw .badRequestData("q must be a string") }
            let expandValues = object["expandValues"].flatMap(RepresentationOptions.strings)
            query.q = try parseQ(text, expandValues: expandValues)
            narrowed = narrowed || Self.narrows(query.q)
        }
        if let scopeQ = object["scopeQ"] {
            guard let text = scopeQ.stringValue else { throw .badRequestData("scopeQ must be a string") }
            query.scopeQ = try parseScope(text)
            narrowed = true
        }
        if let geoQ = object["geoQ"] {
            query.geo = try filters.geoQuery(object: geoQ)
            narrowed = true
        }
        if let ordering = object["ordering"] {
            guard case .object(let members) = ordering else { throw .badRequestData("ordering must be an object") }
            query.ordering = try self.ordering(members)
        }
        if let csf = object["csf"] {
            guard let text = csf.stringValue else { throw .badRequestData("csf must be a string") }
            _ = try Self.validatedContextSourceFilter(text)
        }
        try checkLinkedDepth(query.q, join: object["join"]?.stringValue, joinLevel: object["joinLevel"])
        guard narrowed || object["local"]?.boolValue == true || parameters["local"] == "true" else {
            throw .badRequestData("A Query needs at least one of entities, attrs, q, geoQ or scopeQ")
        }
        return query
    }

    /// One `EntitySelector` of a Query body (5.2.33).
    func selector(_ element: JSON) throws(NGSIError) -> EntitySelector { try filters.selector(element) }

    /// The `ordering` member of a Query body (OrderingParams, 5.2.43).
    func ordering(_ members: JSONObject) throws(NGSIError) -> EntityOrdering? {
        if let geometry = members["geometry"], geometry.stringValue == nil {
            throw .badRequestData("ordering.geometry must be a string")
        }
        if let coordinates = members["coordinates"], coordinates.arrayValue == nil {
            throw .badRequestData("ordering.coordinates must be an array")
        }
        if let collation = members["collation"], collation.stringValue == nil {
            throw .badRequestData("ordering.collation must be a string")
        }
        guard let orderBy = members["orderBy"] else {
            if let collation = members["collation"]?.stringValue, !EntityOrdering.isLanguageTag(collation) {
                throw .badRequestData("collation \"\(collation)\" is not a BCP 47 language tag")
            }
            return nil
        }
        guard let items = RepresentationOptions.strings(orderBy), !items.isEmpty else {
            throw .badRequestData("ordering.orderBy must be a non-empty array of strings")
        }
        return try ordering(
            items,
            coordinates: members["coordinates"],
            geometry: members["geometry"]?.stringValue,
            collation: members["collation"]?.stringValue
        )
    }

    func ordering(
        _ items: [String],
        coordinates: JSON?,
        geometry: String?,
        collation: String?
    ) throws(NGSIError) -> EntityOrdering {
        var reference: Geometry?
        if let coordinates {
            let type = geometry ?? "Point"
            switch coordinates {
            case .string(let text): reference = try Geometry.parse(geometry: type, coordinates: text)
            default: reference = try Geometry(geoJSON: ["type": .string(type), "coordinates": coordinates])
            }
        }
        return try EntityOrdering.parse(items, reference: reference, collation: collation).expanded(context.expandTerm)
    }

    func page(_ parameters: FlatDictionary<Substring, Substring>) throws(NGSIError) -> EntityQuery {
        var query = EntityQuery(limit: limits.defaultLimit)
        if let limit = parameters["limit"] {
            guard let value = Int(limit), value >= 0 else {
                throw .badRequestData("limit must be a non-negative integer")
            }
            guard value <= limits.maxLimit else {
                throw NGSIError(.tooManyResults, "limit \(value) is above the maximum of \(limits.maxLimit)")
            }
            query.limit = value
        }
        if let offset = parameters["offset"] {
            guard let value = Int(offset), value >= 0 else {
                throw .badRequestData("offset must be a non-negative integer")
            }
            query.offset = value
        }
        query.count = try RepresentationOptions.flag(parameters, "count")
        if query.limit == 0, !query.count { throw .badRequestData("limit=0 is only allowed with count=true") }
        return query
    }

    /// The shared filter decoder, with this request's context.
    var filters: FilterDecoder { FilterDecoder(expand: context.expandTerm, maxQueryLength: limits.maxQueryLength) }

    func parseTypes(_ text: String) throws(NGSIError) -> TypeExpression { try filters.types(text) }

    func parseQ(_ text: String, expandValues: [String]? = nil) throws(NGSIError) -> QueryExpression {
        try filters.q(text, expandValues: expandValues)
    }

    func parseScope(_ text: String) throws(NGSIError) -> ScopeExpression { try filters.scope(text) }

    func geoQuery(
        georel: String?,
        geometry: String?,
        coordinates: JSON?,
        geoproperty: String?
    ) throws(NGSIError) -> GeoQuery? {
        try filters.geoQuery(georel: georel, geometry: geometry, coordinates: coordinates, geoproperty: geoproperty)
    }

    static func validatedPattern(_ pattern: String) throws(NGSIError) -> String {
        try FilterDecoder.validatedPattern(pattern)
    }

    /// A context source filter (`csf`, 4.9 syntax) is only checked: this broker has no registrations to filter.
    static func validatedContextSourceFilter(_ text: String) throws(NGSIError) -> QueryExpression {
        do {
            return try QueryExpression.parse(text)
        } catch {
            throw .badRequestData("csf is not a valid query: \(error.detail)")
        }
    }
}
