extension QueryExpression {
    /// The expression with attribute, sub-attribute, relationship and entity type names expanded to IRIs.
    ///
    /// Compound keys (`[city]`) and the normalized member names in `AttributePath.metadataNames`
    /// (`observedAt`, `createdAt`, `unitCode`, …) stay as they are; `expand` is not called for them.
    /// - Parameter expand: Expands one term with the request's @context (JSON-LD vocabulary expansion).
    public func expanded(_ expand: (String) -> String) -> QueryExpression {
        switch self {
        case .and(let items): .and(items.map { $0.expanded(expand) })
        case .or(let items): .or(items.map { $0.expanded(expand) })
        case .not(let inner): .not(inner.expanded(expand))
        case .term(let term): .term(QueryTerm(path: term.path.expanded(expand), comparison: term.comparison))
        case .linked(let relationship, let types, let query):
            .linked(
                relationship: AttributePath.expandName(relationship, expand),
                entityTypes: types.map(expand),
                query: query.expanded(expand)
            )
        case .entityTypes(let types): .entityTypes(types.expanded(expand))
        }
    }

    /// The expression with the string and URI values of terms on `attributes` expanded (4.9 `expandValues`,
    /// EXAMPLE 12: `gender==Male&expandValues=gender` compares with the IRI of `Male`).
    ///
    /// Matches a term by its top-level attribute name, so pass short names before `expanded(_:)`, or expanded
    /// names after it.
    public func expandingValues(of attributes: Set<String>, _ expand: (String) -> String) -> QueryExpression {
        switch self {
        case .and(let items): .and(items.map { $0.expandingValues(of: attributes, expand) })
        case .or(let items): .or(items.map { $0.expandingValues(of: attributes, expand) })
        case .not(let inner): .not(inner.expandingValues(of: attributes, expand))
        case .linked(let relationship, let types, let query):
            .linked(
                relationship: relationship,
                entityTypes: types,
                query: query.expandingValues(of: attributes, expand)
            )
        case .entityTypes: self
        case .term(let term):
            if attributes.contains(term.path.attribute), let comparison = term.comparison {
                .term(QueryTerm(path: term.path, comparison: comparison.expandingValues(expand)))
            } else {
                self
            }
        }
    }
}

extension AttributePath {
    /// The path with its attribute and sub-attribute names expanded; see `QueryExpression.expanded(_:)`.
    public func expanded(_ expand: (String) -> String) -> AttributePath {
        AttributePath(
            attribute: Self.expandName(attribute, expand),
            subAttributes: subAttributes.map { Self.expandName($0, expand) },
            compound: compound
        )
    }

    static func expandName(_ name: String, _ expand: (String) -> String) -> String {
        metadataNames.contains(name) ? name : expand(name)
    }
}

extension QueryComparison {
    fileprivate func expandingValues(_ expand: (String) -> String) -> QueryComparison {
        switch self {
        case .equal(let value): .equal(value.expandingValues(expand))
        case .notEqual(let value): .notEqual(value.expandingValues(expand))
        case .greater, .greaterOrEqual, .less, .lessOrEqual, .matches, .notMatches: self
        }
    }
}

extension QueryValue {
    fileprivate func expandingValues(_ expand: (String) -> String) -> QueryValue {
        switch self {
        case .string(let text): .string(expand(text))
        case .uri(let text): .uri(expand(text))
        case .list(let values): .list(values.map { $0.expandingValues(expand) })
        case .number, .bool, .dateTime, .range: self
        }
    }
}

extension TypeExpression {
    /// The expression with every type name expanded; the wildcard `*` stays.
    public func expanded(_ expand: (String) -> String) -> TypeExpression {
        switch self {
        case .type(let name): .type(name == Self.wildcard ? name : expand(name))
        case .and(let items): .and(items.map { $0.expanded(expand) })
        case .or(let items): .or(items.map { $0.expanded(expand) })
        }
    }
}

extension GeoQuery {
    /// The query with `geoproperty` expanded.
    public func expanded(_ expand: (String) -> String) -> GeoQuery {
        GeoQuery(relation: relation, geometry: geometry, geoproperty: expand(geoproperty))
    }
}
