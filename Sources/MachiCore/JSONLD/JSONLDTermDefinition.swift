import OrderedCollections

/// One term definition of an active JSON-LD context (JSON-LD 1.1 API, 4.2.2 "Create Term Definition").
public struct JSONLDTermDefinition: Sendable, Hashable {
    /// The IRI the term expands to, or a keyword for a keyword alias (`"id"` → `@id`).
    public internal(set) var iri: String
    /// The `@type` mapping, expanded: `@id`, `@vocab`, `@json`, `@none` or a datatype IRI.
    public internal(set) var typeMapping: String?
    /// The `@container` values (`@list`, `@set`, `@language`, `@index`, …); empty if none.
    public internal(set) var containers: Set<String>
    /// Whether the term may be used as the prefix of a compact IRI (`prefix:suffix`).
    public internal(set) var isPrefix: Bool
    /// Whether the term is protected (`@protected`) from redefinition.
    public internal(set) var isProtected: Bool
    /// Whether the term is a reverse property (`@reverse`). NGSI-LD attributes cannot be reverse properties,
    /// so ``JSONLDContext`` neither expands nor compacts through such terms.
    public internal(set) var isReverse: Bool
    /// `@language`, `@direction`, `@index` and `@nest` as written, kept so that redefinition checks compare them.
    var extras: JSONObject

    init(
        iri: String,
        typeMapping: String? = nil,
        containers: Set<String> = [],
        isPrefix: Bool = false,
        isProtected: Bool = false,
        isReverse: Bool = false,
        extras: JSONObject = [:]
    ) {
        self.iri = iri
        self.typeMapping = typeMapping
        self.containers = containers
        self.isPrefix = isPrefix
        self.isProtected = isProtected
        self.isReverse = isReverse
        self.extras = extras
    }

    /// Whether `other` defines the same term, ignoring protection (JSON-LD allows re-stating a protected term).
    func sameDefinition(as other: JSONLDTermDefinition) -> Bool {
        var a = self
        var b = other
        a.isProtected = false
        b.isProtected = false
        return a == b
    }
}
