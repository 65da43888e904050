import Foundation
public import Hummingbird
import HummingbirdCore
import MachiCore
import OrderedCollections

/// Builds an `EntityQuery` from URL parameters (`GET /entities`) or a Query body (`POST /entityOperations/query`),
/// expanding every name with the request's context.
struct EntityQueryBuilder {
    let context: JSONLDContext
    let limits: APILimits

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
        if let attrs = RepresentationOptions.list(parameters, "attrs") {
            query.attributes = attrs.map(context.expandTerm)
        }
        if let q = parameters["q"] { query.q = try parseQ(String(q)) }
        if let scopeQ = parameters["scopeQ"] { query.scopeQ = try parseScope(String(scopeQ)) }
        query.geo = try geoQuery(
            georel: parameters["georel"].map(String.init),
            geometry: parameters["geometry"].map(String.init),
            coordinates: parameters["coordinates"].map { .string(String($0)) },
            geoproperty: parameters["geoproperty"].map(String.init)
        )
        if parameters["type"] == "*", parameters["local"] == "false" {
            throw .badRequestData("type=* cannot be combined with local=false")
        }
        let hasFilter =
            query.ids != nil || query.idPattern != nil || parameters["type"] != nil || query.attributes != nil
            || query.q != nil || query.geo != nil || query.scopeQ != nil || parameters["local"] == "true"
        guard hasFilter else {
            throw .badRequestData(
                "A query needs at least one of id, idPattern, type, attrs, q, geoQ, scopeQ or local=true"
            )
        }
        return query
    }

    /// The filters of a Query body (`POST /entityOperations/query`), paginated by URL parameters.
    func query(body: JSON, parameters: FlatDictionary<Substring, Substring>) throws(NGSIError) -> EntityQuery {
        guard case .object(let object) = body else { throw .badRequestData("The Query must be a JSON object") }
        if let type = object["type"], type.stringValue != "Query" {
            throw .badRequestData("The Query's type must be \"Query\"")
        }
        var query = try page(parameters)
        if let selectors = object["entities"] {
            guard let list = selectors.arrayValue, !list.isEmpty, list.count == 1 else {
                guard let list = selectors.arrayValue, !list.isEmpty else {
                    throw .badRequestData("entities must be a non-empty array")
                }
                return try unionUnsupported(list.count)
            }
            let selector = list[0]
            if let id = selector["id"] {
                guard let text = id.stringValue, NameRules.isURI(text) else {
                    throw .badRequestData("Invalid entity id in the Query")
                }
                query.ids = [text]
            }
            if let pattern = selector["idPattern"]?.stringValue { query.idPattern = try Self.validatedPattern(pattern) }
            if let type = selector["type"]?.stringValue, type != "*" { query.types = try parseTypes(type) }
        }
        if let attrs = object["attrs"] {
            guard let list = attrs.arrayValue?.compactMap(\.stringValue) else {
                throw .badRequestData("attrs must be an array of names")
            }
            query.attributes = list.map(context.expandTerm)
        }
        if let q = object["q"] {
            guard let text = q.stringValue else { throw .badRequestData("q must be a string") }
            query.q = try parseQ(text)
        }
        if let scopeQ = object["scopeQ"]?.stringValue { query.scopeQ = try parseScope(scopeQ) }
        if let geoQ = object["geoQ"] {
            guard case .object(let geo) = geoQ else { throw .badRequestData("geoQ must be an object") }
            query.geo = try geoQuery(
                georel: geo["georel"]?.stringValue,
                geometry: geo["geometry"]?.stringValue,
                coordinates: geo["coordinates"],
                geoproperty: geo["geoproperty"]?.stringValue
            )
            if query.geo == nil { throw .badRequestData("geoQ needs georel, geometry and coordinates") }
        }
        return query
    }

    func unionUnsupported(_ count: Int) throws(NGSIError) -> EntityQuery {
        throw NGSIError(
            .notImplemented,
            "A Query with \(count) entity selectors is not supported yet; send one selector per query"
        )
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

    func parseTypes(_ text: String) throws(NGSIError) -> TypeExpression {
        try TypeExpression.parse(text).expanded(context.expandTerm)
    }

    func parseQ(_ text: String) throws(NGSIError) -> QueryExpression {
        guard text.count <= limits.maxQueryLength else {
            throw NGSIError(.tooComplexQuery, "q is longer than \(limits.maxQueryLength) characters")
        }
        return try QueryExpression.parse(text).expanded(context.expandTerm)
    }

    func parseScope(_ text: String) throws(NGSIError) -> ScopeExpression {
        guard text.count <= limits.maxQueryLength else {
            throw NGSIError(.tooComplexQuery, "scopeQ is longer than \(limits.maxQueryLength) characters")
        }
        return try ScopeExpression.parse(text)
    }

    func geoQuery(
        georel: String?,
        geometry: String?,
        coordinates: JSON?,
        geoproperty: String?
    ) throws(NGSIError) -> GeoQuery? {
        guard georel != nil || geometry != nil || coordinates != nil else { return nil }
        guard let georel, let geometry, let coordinates else {
            throw .badRequestData("A geo-query needs georel, geometry and coordinates together")
        }
        let relation = try GeoRelation.parse(georel)
        let shape: Geometry
        switch coordinates {
        case .string(let text): shape = try Geometry.parse(geometry: geometry, coordinates: text)
        default: shape = try Geometry(geoJSON: ["type": .string(geometry), "coordinates": coordinates])
        }
        return GeoQuery(relation: relation, geometry: shape, geoproperty: context.expandTerm(geoproperty ?? "location"))
    }

    static func validatedPattern(_ pattern: String) throws(NGSIError) -> String {
        guard pattern.count <= 1024, (try? NSRegularExpression(pattern: pattern)) != nil else {
            throw .badRequestData("idPattern is not a valid regular expression")
        }
        return pattern
    }
}
