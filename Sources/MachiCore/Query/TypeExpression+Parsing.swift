extension TypeExpression {
    /// `type=*`: every entity type.
    public static let wildcard = "*"

    /// Parses an entity type selection (ETSI GS CIM 009 4.17): names or IRIs joined by `,` or `|` (or) and `;`
    /// (and), `;` binding tighter, with parentheses; or `*` alone for every type.
    ///
    /// A name is `letter *(letter / digit / "_")`, optionally with a `prefix:`; an IRI has a scheme and no
    /// `,`, `;`, `|`, `(` or `)` (the characters the language itself uses).
    /// - Throws: `NGSIError` `BadRequestData` on a syntax error, `TooComplexQuery` beyond `limits`.
    public static func parse(_ text: String, limits: QueryLimits = QueryLimits()) throws(NGSIError) -> TypeExpression {
        if text == wildcard { return .type(wildcard) }
        var cursor = try QueryCursor(text, language: "type", limits: limits)
        cursor.skipWhitespace()
        guard !cursor.isAtEnd else { throw cursor.error("the type selection is empty") }
        let expression = try parseOr(&cursor)
        cursor.skipWhitespace()
        guard cursor.isAtEnd else {
            throw cursor.error(
                cursor.current == ")" ? "')' without a matching '('" : "expected ',', '|', ';' or the end"
            )
        }
        return expression
    }

    private static func parseOr(_ cursor: inout QueryCursor) throws(NGSIError) -> TypeExpression {
        var items = [try parseAnd(&cursor)]
        cursor.skipWhitespace()
        while cursor.consume("|") || cursor.consume(",") {
            items.append(try parseAnd(&cursor))
            cursor.skipWhitespace()
        }
        guard items.count > 1 else { return items[0] }
        return .or(items.flatMap { if case .or(let inner) = $0 { inner } else { [$0] } })
    }

    private static func parseAnd(_ cursor: inout QueryCursor) throws(NGSIError) -> TypeExpression {
        var items = [try parsePrimary(&cursor)]
        cursor.skipWhitespace()
        while cursor.consume(";") {
            items.append(try parsePrimary(&cursor))
            cursor.skipWhitespace()
        }
        guard items.count > 1 else { return items[0] }
        return .and(items.flatMap { if case .and(let inner) = $0 { inner } else { [$0] } })
    }

    private static func parsePrimary(_ cursor: inout QueryCursor) throws(NGSIError) -> TypeExpression {
        cursor.skipWhitespace()
        let start = cursor.index
        if cursor.consume("(") {
            try cursor.enter()
            let inner = try parseOr(&cursor)
            cursor.skipWhitespace()
            guard cursor.consume(")") else { throw cursor.error("missing ')' for the '(' at position \(start + 1)") }
            cursor.leave()
            return inner
        }
        try cursor.countTerm()
        while let c = cursor.current, !",;|()".unicodeScalars.contains(c), !c.properties.isWhitespace {
            cursor.index += 1
        }
        let name = cursor.text(start..<cursor.index)
        guard !name.isEmpty else { throw cursor.error("expected an entity type") }
        guard isValidTypeName(name) else {
            throw cursor.error("'\(name)' is neither a type name nor an IRI", at: start)
        }
        return .type(name)
    }

    /// A name (4.6.2), a `prefix:name`, or an absolute IRI.
    static func isValidTypeName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard let first = scalars.first, QueryCursor.isLetter(first) else { return false }
        guard let colon = scalars.firstIndex(of: ":") else { return scalars.allSatisfy(QueryCursor.isNameChar) }
        let scheme = scalars[..<colon]
        let rest = scalars[(colon + 1)...]
        let schemeValid = scheme.allSatisfy { QueryCursor.isNameChar($0) || $0 == "-" || $0 == "+" || $0 == "." }
        return schemeValid && !rest.isEmpty
            && rest.allSatisfy { $0.value > 0x20 && $0.value != 0x7F && !"\"<>\\^`{}".unicodeScalars.contains($0) }
    }

    /// Whether an entity with `types` (expanded) is selected.
    public func matches(_ types: [String]) -> Bool {
        switch self {
        case .type(let name): name == Self.wildcard || types.contains(name)
        case .and(let items): items.allSatisfy { $0.matches(types) }
        case .or(let items): items.contains { $0.matches(types) }
        }
    }
}
