/// A parsed NGSI-LD query (`q`, ETSI GS CIM 009 4.9): terms joined by `;` (and) and `|` (or), with parentheses.
///
/// The parser (`parse(_:limits:)`) produces short attribute names; `expanded(_:)` turns them into IRIs before
/// evaluation (`matches(_:)`), which is the reference semantics every store must reproduce exactly.
///
/// ```swift
/// let q = try QueryExpression.parse(#"(speed>50|rpm>3000);brandName=="Mercedes""#)
///     .expanded { context.expand($0) }
/// let hit = q.matches(entity)
/// ```
public indirect enum QueryExpression: Sendable, Hashable {
    /// All of the expressions hold (`;`).
    case and([QueryExpression])
    /// Any of the expressions holds (`|`).
    case or([QueryExpression])
    /// One query term.
    case term(QueryTerm)
    /// The expression does not hold. The parser produces it only for `!attr` ("the attribute does not exist"),
    /// a widely used extension of the 4.9 grammar; a store whose SQL for the inner expression is only a
    /// pre-filter (a superset) must not negate that SQL, but evaluate `.not` with `matches(_:)`.
    case not(QueryExpression)
    /// `relationship{…}` (4.9 EXAMPLE 13/14, "LinkedEntityRelation"): some entity that the Relationship (or
    /// ListRelationship) `relationship` points to, and whose types include one of `entityTypes` (any type when
    /// empty), satisfies `query`. `sensor{Device:humidity}==40` parses to
    /// `.linked(relationship: "sensor", entityTypes: ["Device"], query: .term(humidity==40))`.
    /// Evaluating it needs the linked entities: see `matches(_:resolvingLinkedEntities:)`.
    case linked(relationship: String, entityTypes: [String], query: QueryExpression)
    /// The entity's types match the type expression. `q` has no syntax for it: Machi builds it itself (the
    /// personal-data guard hides entities of the types a tenant marks personal with `.not(.entityTypes(…))`).
    case entityTypes(TypeExpression)
}

/// One query term: an attribute path and, unless it only tests existence, a comparison.
public struct QueryTerm: Sendable, Hashable {
    /// What the term looks at.
    public var path: AttributePath
    /// `nil` means "the attribute exists".
    public var comparison: QueryComparison?

    /// Creates a term; a `nil` comparison tests existence.
    public init(path: AttributePath, comparison: QueryComparison?) {
        self.path = path
        self.comparison = comparison
    }
}

/// `attr.sub.sub[key][key]`: an attribute, then sub-attributes (dots), then members inside its value (brackets).
///
/// `attr[a.b]` (the 4.9 trailing path) and `attr[a][b]` both give `compound == ["a", "b"]`.
/// A sub-attribute named like a normalized member (`observedAt`, `unitCode`, `datasetId`, …; see
/// `metadataNames`) addresses that member of the attribute instead, e.g. `temperature.observedAt`. At the top
/// level, `createdAt` and `modifiedAt` address the entity's own timestamps unless the entity has an attribute of
/// that name. For a LanguageProperty the one bracket key is a language tag, or `*` for any language
/// (`name[en]=="red"`).
public struct AttributePath: Sendable, Hashable {
    /// The attribute name (short while parsed, an IRI once expanded).
    public var attribute: String
    /// Sub-attribute names after dots, e.g. `observedAt` or a property of the property.
    public var subAttributes: [String]
    /// Keys inside the value (compound value path), e.g. `address[city]` → `["city"]`. Never expanded.
    public var compound: [String]

    /// Creates a path.
    public init(attribute: String, subAttributes: [String] = [], compound: [String] = []) {
        self.attribute = attribute
        self.subAttributes = subAttributes
        self.compound = compound
    }
}

/// A comparison in a query term.
public enum QueryComparison: Sendable, Hashable {
    /// `==`: equal to the value, to any value of a list, or inside a range (both ends included).
    case equal(QueryValue)
    /// `!=`: the negation of `==`; values of another data type are unequal.
    case notEqual(QueryValue)
    /// `>`
    case greater(QueryValue)
    /// `>=`
    case greaterOrEqual(QueryValue)
    /// `<`
    case less(QueryValue)
    /// `<=`
    case lessOrEqual(QueryValue)
    /// `~=`: the string value matches the regular expression somewhere (a search, not a full match; anchor the
    /// pattern with `^…$` for a full match). ICU syntax, a superset of POSIX extended regular expressions.
    case matches(String)
    /// `!~=`: the string value does not match the regular expression.
    case notMatches(String)
}

/// A literal in a query.
public indirect enum QueryValue: Sendable, Hashable {
    /// A quoted string (escapes resolved). Compared by Unicode code points; two strings that are both
    /// DateTimes, Dates or Times are compared as instants.
    case string(String)
    /// A JSON number.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// A DateTime, Date or Time literal, kept as written (ISO 8601). It is compared as an instant with string
    /// values of the same kind (a Date counts as midnight UTC against a DateTime); other values do not match.
    case dateTime(String)
    /// A URI or other unquoted token (compared as a string).
    case uri(String)
    /// `a,b,c`: `==` holds if it holds for any, `!=` if it holds for all.
    case list([QueryValue])
    /// `a..b`: inclusive range; both ends numbers, strings or date/times of one kind.
    case range(QueryValue, QueryValue)
}

/// A type expression (`type=A,B` or `type=(A;B)|C`, ETSI GS CIM 009 4.17): `,` and `|` are or, `;` is and.
///
/// `type=*` parses to `.type("*")` (`TypeExpression.wildcard`), which every entity matches.
public indirect enum TypeExpression: Sendable, Hashable {
    /// Entities that have this type (among others).
    case type(String)
    /// All of the expressions hold.
    case and([TypeExpression])
    /// Any of the expressions holds.
    case or([TypeExpression])
}

/// A scope query (`scopeQ=/Madrid/#;/Spain`, ETSI GS CIM 009 4.19): patterns with `+` (one level) and `#`
/// (any levels), `;` (and), `|` or `,` (or).
public indirect enum ScopeExpression: Sendable, Hashable {
    /// A pattern, always with a leading `/`: `/Madrid/Gardens`, `/Madrid/+/ParqueNorte`, `/Madrid/#`, `/#`.
    case scope(String)
    /// All of the expressions hold.
    case and([ScopeExpression])
    /// Any of the expressions holds.
    case or([ScopeExpression])
}
