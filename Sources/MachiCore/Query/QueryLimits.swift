/// Limits the query-language parsers enforce against hostile or runaway input.
///
/// Exceeding one is a `TooComplexQuery` error (HTTP 403), not a syntax error.
public struct QueryLimits: Sendable, Hashable {
    /// The longest accepted expression, in Unicode scalars.
    public var maxLength: Int
    /// The deepest nesting of parentheses and linked-entity braces.
    public var maxDepth: Int
    /// The most terms (attribute tests, types or scope patterns) in one expression.
    public var maxTerms: Int

    /// Creates limits; the defaults suit query strings in URLs.
    public init(maxLength: Int = 4_096, maxDepth: Int = 32, maxTerms: Int = 256) {
        self.maxLength = maxLength
        self.maxDepth = maxDepth
        self.maxTerms = maxTerms
    }
}
