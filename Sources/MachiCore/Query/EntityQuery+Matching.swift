import OrderedCollections

extension EntityQuery {
    /// Whether `entity` passes every filter of the query: the reference semantics a store must reproduce.
    ///
    /// `ids` (any), `idPattern` (a regular expression search, compiled once and cached), `types`, `scopeQ`, `q`,
    /// `geo` and `attributes` (at least one of them present) must all hold. Linked-entity terms in `q` are false;
    /// see `matches(_:resolvingLinkedEntities:)`. `limit`, `offset` and `count` do not filter.
    public func matches(_ entity: Entity) -> Bool {
        matches(entity) { _ in nil }
    }

    /// Whether `entity` passes every filter, following linked-entity terms in `q` with `resolve`.
    public func matches(_ entity: Entity, resolvingLinkedEntities resolve: (String) -> Entity?) -> Bool {
        if let ids, !ids.contains(entity.id) { return false }
        if let selectors, !selectors.contains(where: { $0.matches(entity) }) { return false }
        if let types, !types.matches(entity.types) { return false }
        if let attributes, !attributes.contains(where: { !(entity.attributes[$0]?.isEmpty ?? true) }) { return false }
        if let scopeQ, !scopeQ.matches(entity.scopes) { return false }
        if let idPattern, !QueryRegex.matches(idPattern, entity.id) { return false }
        if let q, !q.matches(entity, resolvingLinkedEntities: resolve) { return false }
        if let geo, !geo.matches(entity) { return false }
        return true
    }
}
