import OrderedCollections

extension QueryExpression {
    /// How many linked entities one evaluation may look up before linked terms stop matching.
    public static let linkedEntityLookupLimit = 1_000

    /// Whether `entity` satisfies the query: the reference semantics of ETSI GS CIM 009 4.9.
    ///
    /// The expression must be expanded (`expanded(_:)`) like the entity. A term matches if any instance
    /// (datasetId) of the attribute has a matching target value; a term on a missing attribute is false, for
    /// `!=` too. Linked-entity terms (`rel{…}`) are false here; use `matches(_:resolvingLinkedEntities:)`.
    public func matches(_ entity: Entity) -> Bool {
        matches(entity) { _ in nil }
    }

    /// Whether `entity` satisfies the query, following linked-entity terms (`rel{…}`) with `resolve`.
    ///
    /// - Parameter resolve: The entity with an id, or `nil` if it does not exist or must not be seen. One
    ///   evaluation calls it at most `linkedEntityLookupLimit` times.
    public func matches(_ entity: Entity, resolvingLinkedEntities resolve: (String) -> Entity?) -> Bool {
        var budget = Self.linkedEntityLookupLimit
        return evaluate(entity, resolve, &budget)
    }

    /// Whether the expression has linked-entity terms, which need `matches(_:resolvingLinkedEntities:)`
    /// (operations that cannot follow relationships, like temporal queries, reject them).
    public var containsLinkedEntityTerms: Bool {
        switch self {
        case .and(let items), .or(let items): items.contains { $0.containsLinkedEntityTerms }
        case .not(let inner): inner.containsLinkedEntityTerms
        case .term, .entityTypes: false
        case .linked: true
        }
    }

    /// How many Relationship hops the deepest linked-entity term follows (0 without linked terms).
    public var linkedEntityDepth: Int {
        switch self {
        case .and(let items), .or(let items): items.map(\.linkedEntityDepth).max() ?? 0
        case .not(let inner): inner.linkedEntityDepth
        case .term, .entityTypes: 0
        case .linked(_, _, let query): 1 + query.linkedEntityDepth
        }
    }

    /// The attribute names the terms look at (the relationship of a linked term, not the linked entity's names).
    public var attributeNames: Set<String> {
        switch self {
        case .and(let items), .or(let items): items.reduce(into: []) { $0.formUnion($1.attributeNames) }
        case .not(let inner): inner.attributeNames
        case .term(let term): [term.path.attribute]
        case .linked(let relationship, _, _): [relationship]
        case .entityTypes: []
        }
    }

    private func evaluate(_ entity: Entity, _ resolve: (String) -> Entity?, _ budget: inout Int) -> Bool {
        switch self {
        case .and(let items):
            for item in items where !item.evaluate(entity, resolve, &budget) { return false }
            return true
        case .or(let items):
            for item in items where item.evaluate(entity, resolve, &budget) { return true }
            return false
        case .not(let inner):
            return !inner.evaluate(entity, resolve, &budget)
        case .term(let term):
            return term.matches(entity)
        case .entityTypes(let types):
            return types.matches(entity.types)
        case .linked(let relationship, let types, let query):
            for id in Self.objects(of: relationship, in: entity) {
                guard budget > 0 else { return false }
                budget -= 1
                guard let linked = resolve(id) else { continue }
                if !types.isEmpty && !linked.types.contains(where: types.contains) { continue }
                if query.evaluate(linked, resolve, &budget) { return true }
            }
            return false
        }
    }

    /// The entity ids a Relationship or ListRelationship points to, over all its instances.
    static func objects(of relationship: String, in entity: Entity) -> [String] {
        var ids: [String] = []
        for instance in entity.attributes[relationship] ?? [] {
            let members = instance.members
            for object in (members["object"] ?? .null).asArray {
                if let id = QueryMatching.unwrapped(object).stringValue { ids.append(id) }
            }
            let list = members["objectList"].map { $0["@list"] ?? $0 }
            for element in list?.arrayValue ?? [] {
                if let id = QueryMatching.unwrapped(element["object"] ?? element).stringValue { ids.append(id) }
            }
        }
        return ids
    }
}

extension QueryTerm {
    /// Whether any target value of the path satisfies the comparison (or, without one, whether it exists).
    public func matches(_ entity: Entity) -> Bool {
        guard let comparison else { return path.exists(in: entity) }
        var found = false
        path.forEachTarget(in: entity) { target in
            found = comparison.isSatisfied(by: target.value, isRelationship: target.isRelationship)
            return !found
        }
        return found
    }
}
