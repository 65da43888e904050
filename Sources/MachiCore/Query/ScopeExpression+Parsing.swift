extension ScopeExpression {
    /// Parses a scope query (ETSI GS CIM 009 4.19): scope patterns joined by `|` or `,` (or) and `;` (and),
    /// `;` binding tighter, with parentheses.
    ///
    /// A pattern is `/Level/Level…`, where a level is `letter *(letter / digit / "_")` or `+` (any one level), and
    /// may end with `/#` (the scope and everything below it); `/#` alone matches any scope. The leading `/` may be
    /// left out (4.19 EXAMPLE 5 writes `CompanyB`); the parsed pattern always has it.
    /// - Throws: `NGSIError` `BadRequestData` on a syntax error, `TooComplexQuery` beyond `limits`.
    public static func parse(_ text: String, limits: QueryLimits = QueryLimits()) throws(NGSIError) -> ScopeExpression {
        var cursor = try QueryCursor(text, language: "scopeQ", limits: limits)
        cursor.skipWhitespace()
        guard !cursor.isAtEnd else { throw cursor.error("the scope query is empty") }
        let expression = try parseOr(&cursor)
        cursor.skipWhitespace()
        guard cursor.isAtEnd else {
            throw cursor.error(
                cursor.current == ")" ? "')' without a matching '('" : "expected '|', ',', ';' or the end"
            )
        }
        return expression
    }

    private static func parseOr(_ cursor: inout QueryCursor) throws(NGSIError) -> ScopeExpression {
        var items = [try parseAnd(&cursor)]
        cursor.skipWhitespace()
        while cursor.consume("|") || cursor.consume(",") {
            items.append(try parseAnd(&cursor))
            cursor.skipWhitespace()
        }
        guard items.count > 1 else { return items[0] }
        return .or(items.flatMap { if case .or(let inner) = $0 { inner } else { [$0] } })
    }

    private static func parseAnd(_ cursor: inout QueryCursor) throws(NGSIError) -> ScopeExpression {
        var items = [try parsePrimary(&cursor)]
        cursor.skipWhitespace()
        while cursor.consume(";") {
            items.append(try parsePrimary(&cursor))
            cursor.skipWhitespace()
        }
        guard items.count > 1 else { return items[0] }
        return .and(items.flatMap { if case .and(let inner) = $0 { inner } else { [$0] } })
    }

    private static func parsePrimary(_ cursor: inout QueryCursor) throws(NGSIError) -> ScopeExpression {
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
        if cursor.consume("/#") {
            return .scope("/#")
        }
        var levels: [String] = []
        _ = cursor.consume("/")
        while true {
            let levelStart = cursor.index
            if cursor.consume("#") {
                guard !levels.isEmpty else { throw cursor.error("'#' must follow a scope level", at: levelStart) }
                levels.append("#")
                break
            }
            if cursor.consume("+") {
                levels.append("+")
            } else {
                guard let first = cursor.current, QueryCursor.isLetter(first) else {
                    throw cursor.error("expected a scope level (a name or '+')")
                }
                while let c = cursor.current, QueryCursor.isNameChar(c) { cursor.index += 1 }
                levels.append(cursor.text(levelStart..<cursor.index))
            }
            guard cursor.current == "/" else { break }
            cursor.index += 1
        }
        if let c = cursor.current, !";|,)".unicodeScalars.contains(c), !c.properties.isWhitespace {
            throw cursor.error(
                c == "#" ? "'#' must be a level of its own, as in '/a/#'" : "unexpected character in a scope"
            )
        }
        return .scope("/" + levels.joined(separator: "/"))
    }

    /// Whether an entity with `scopes` is selected: each pattern must match one of the scopes.
    public func matches(_ scopes: [String]) -> Bool {
        switch self {
        case .scope(let pattern): scopes.contains { Self.pattern(pattern, matches: $0) }
        case .and(let items): items.allSatisfy { $0.matches(scopes) }
        case .or(let items): items.contains { $0.matches(scopes) }
        }
    }

    /// Whether one scope pattern matches one scope; a missing leading `/` on either side is ignored.
    static func pattern(_ pattern: String, matches scope: String) -> Bool {
        let wanted = pattern.split(separator: "/")
        let levels = scope.split(separator: "/")
        guard !levels.isEmpty else { return false }
        if wanted.last == "#" {
            let prefix = wanted.dropLast()
            guard levels.count >= prefix.count else { return false }
            return zip(prefix, levels).allSatisfy { $0 == "+" || $0 == $1 }
        }
        return wanted.count == levels.count && zip(wanted, levels).allSatisfy { $0 == "+" || $0 == $1 }
    }
}
