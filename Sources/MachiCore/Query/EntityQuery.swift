/// What a query asks of the store: every filter already expanded to IRIs.
///
/// The store must apply all filters exactly. Its SQL may pre-filter, but `EntityQuery.matches(_:)`
/// (in MachiCore) is the reference semantics.
public struct EntityQuery: Sendable, Hashable {
    /// Entity ids; any of them (an empty array matches nothing).
    public var ids: [String]?
    /// A regular expression the id must match somewhere (a search; anchor it for a full match).
    public var idPattern: String?
    /// Expanded types.
    public var types: TypeExpression?
    /// Expanded `q`.
    public var q: QueryExpression?
    /// The scope query.
    public var scopeQ: ScopeExpression?
    /// The geo-query, its `geoproperty` expanded.
    public var geo: GeoQuery?
    /// Expanded attribute names: an entity matches only if it has at least one of them (the `attrs` filter).
    public var attributes: [String]?
    /// At most this many entities in the page.
    public var limit: Int
    /// Skip this many matching entities first.
    public var offset: Int
    /// Whether to count all matches (`count=true`).
    public var count: Bool
    /// Entity selectors of a Query body (`entities`), any of which an entity must match, in addition to the
    /// other filters; `nil` when the query has none or they were folded into `ids`/`idPattern`/`types`.
    public var selectors: [EntitySelector]?
    /// The order of the results (`orderBy`); the store's order (creation) when `nil`.
    public var ordering: EntityOrdering?

    /// Creates a query; every filter is optional.
    public init(
        ids: [String]? = nil,
        idPattern: String? = nil,
        types: TypeExpression? = nil,
        q: QueryExpression? = nil,
        scopeQ: ScopeExpression? = nil,
        geo: GeoQuery? = nil,
        attributes: [String]? = nil,
        limit: Int = 20,
        offset: Int = 0,
        count: Bool = false
    ) {
        self.ids = ids
        self.idPattern = idPattern
        self.types = types
        self.q = q
        self.scopeQ = scopeQ
        self.geo = geo
        self.attributes = attributes
        self.limit = limit
        self.offset = offset
        self.count = count
    }
}

/// One entity selector (ETSI GS CIM 009 5.2.33): `id` (takes precedence over `idPattern`), `idPattern`, `type`.
public struct EntitySelector: Sendable, Hashable {
    public var ids: [String]?
    public var idPattern: String?
    /// Expanded types.
    public var types: TypeExpression?

    public init(ids: [String]? = nil, idPattern: String? = nil, types: TypeExpression? = nil) {
        self.ids = ids
        self.idPattern = idPattern
        self.types = types
    }

    /// Whether the entity matches the selector.
    public func matches(_ entity: Entity) -> Bool {
        if let ids {
            if !ids.contains(entity.id) { return false }
        } else if let idPattern, !QueryRegex.matches(idPattern, entity.id) {
            return false
        }
        if let types, !types.matches(entity.types) { return false }
        return true
    }
}
