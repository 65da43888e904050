import Foundation
import OrderedCollections

/// Decodes the filters that queries and subscriptions share (type expressions, `q`, `scopeQ`, geo-queries, entity
/// selectors), expanding every name with the request's @context.
///
/// `expand` is the context's term expansion; a caller may wrap it to see every name a filter uses (subscriptions
/// record them, so that they can be decoded again without the original context).
public struct FilterDecoder {
    public var expand: (String) -> String
    /// The longest `q` or `scopeQ` accepted, in characters.
    public var maxQueryLength: Int

    public init(expand: @escaping (String) -> String, maxQueryLength: Int = 4096) {
        self.expand = expand
        self.maxQueryLength = maxQueryLength
    }

    public func types(_ text: String) throws(NGSIError) -> TypeExpression {
        try TypeExpression.parse(text).expanded(expand)
    }

    public func q(_ text: String, expandValues: [String]? = nil) throws(NGSIError) -> QueryExpression {
        guard text.count <= maxQueryLength else {
            throw NGSIError(.tooComplexQuery, "q is longer than \(maxQueryLength) characters")
        }
        var q = try QueryExpression.parse(text)
        if let expandValues { q = q.expandingValues(of: Set(expandValues), expand) }
        return q.expanded(expand)
    }

    public func scope(_ text: String) throws(NGSIError) -> ScopeExpression {
        guard text.count <= maxQueryLength else {
            throw NGSIError(.tooComplexQuery, "scopeQ is longer than \(maxQueryLength) characters")
        }
        return try ScopeExpression.parse(text)
    }

    /// A geo-query from its four members, or `nil` when neither `georel` nor `coordinates` is given.
    /// `coordinates` is a JSON array, or text as in a URL parameter.
    public func geoQuery(
        georel: String?,
        geometry: String?,
        coordinates: JSON?,
        geoproperty: String?
    ) throws(NGSIError) -> GeoQuery? {
        guard georel != nil || coordinates != nil else { return nil }
        guard let georel, let geometry, let coordinates else {
            throw .badRequestData("A geo-query needs georel, geometry and coordinates together")
        }
        let relation = try GeoRelation.parse(georel)
        let shape: Geometry
        switch coordinates {
        case .string(let text): shape = try Geometry.parse(geometry: geometry, coordinates: text)
        default: shape = try Geometry(geoJSON: ["type": .string(geometry), "coordinates": coordinates])
        }
        return GeoQuery(relation: relation, geometry: shape, geoproperty: expand(geoproperty ?? "location"))
    }

    /// A `geoQ` object (GeoQuery, 5.2.13).
    public func geoQuery(object value: JSON) throws(NGSIError) -> GeoQuery {
        guard case .object(let geo) = value else { throw .badRequestData("geoQ must be an object") }
        for member in ["georel", "geometry", "geoproperty"] where geo[member] != nil && geo[member]?.stringValue == nil
        {
            throw .badRequestData("geoQ.\(member) must be a string")
        }
        guard
            let query = try geoQuery(
                georel: geo["georel"]?.stringValue,
                geometry: geo["geometry"]?.stringValue,
                coordinates: geo["coordinates"],
                geoproperty: geo["geoproperty"]?.stringValue
            )
        else { throw .badRequestData("geoQ needs georel, geometry and coordinates") }
        return query
    }

    /// One `EntitySelector` (5.2.33): `type` is mandatory, `id` (one URI or several) takes precedence over
    /// `idPattern`.
    public func selector(_ element: JSON) throws(NGSIError) -> EntitySelector {
        guard case .object(let object) = element else { throw .badRequestData("An entity selector must be an object") }
        guard let typeValue = object["type"] else { throw .badRequestData("An entity selector needs a type") }
        guard let type = typeValue.stringValue else { throw .badRequestData("The selector's type must be a string") }
        var selector = EntitySelector()
        if type != "*" { selector.types = try types(type) }
        if let id = object["id"] {
            guard let ids = Self.strings(id), !ids.isEmpty, ids.allSatisfy(NameRules.isURI) else {
                throw .badRequestData("The selector's id must be a URI or an array of URIs")
            }
            selector.ids = ids
        } else if let pattern = object["idPattern"] {
            guard let text = pattern.stringValue else { throw .badRequestData("idPattern must be a string") }
            selector.idPattern = try Self.validatedPattern(text)
        }
        return selector
    }

    public static func validatedPattern(_ pattern: String) throws(NGSIError) -> String {
        guard pattern.count <= 1024, (try? NSRegularExpression(pattern: pattern)) != nil else {
            throw .badRequestData("idPattern is not a valid regular expression")
        }
        return pattern
    }

    /// A string, or an array of strings, as a list; `nil` for anything else.
    public static func strings(_ value: JSON) -> [String]? {
        if let text = value.stringValue { return [text] }
        guard let list = value.arrayValue else { return nil }
        let texts = list.compactMap(\.stringValue)
        return texts.count == list.count ? texts : nil
    }
}
