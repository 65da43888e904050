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
