extension QueryExpression {
    /// Parses an NGSI-LD query (`q`, ETSI GS CIM 009 4.9) as it arrives, URL-decoded.
    ///
    /// Accepts the full 4.9 grammar (terms, `;` binding tighter than `|`, nested parentheses, dotted
    /// sub-attribute paths, one trailing `[a.b]` compound path or several `[a][b]`, value lists, ranges,
    /// DateTime/Date/Time literals, URIs, `~=`/`!~=` patterns quoted or not, linked-entity paths
    /// `rel{Type:attr}`) plus two widely used extensions: `!attr` (the attribute does not exist) and a
    /// sub-query inside the braces (`owner{age>30;name=="x"}`). Names keep their short form; see `expanded(_:)`.
    /// Whitespace between tokens is ignored.
    ///
    /// - Throws: `NGSIError` `BadRequestData` with the position of a syntax error, or `TooComplexQuery` when the
    ///   query exceeds `limits`.
    public static func parse(_ q: String, limits: QueryLimits = QueryLimits()) throws(NGSIError) -> QueryExpression {
        var parser = QueryParser(cursor: try QueryCursor(q, language: "q", limits: limits))
        return try parser.parseQuery()
    }

    /// This expression with a comparison put on its single existence term (`rel{attr}` followed by `==1`).
    fileprivate func applying(_ comparison: QueryComparison) -> QueryExpression? {
        switch self {
        case .term(let term) where term.comparison == nil:
            .term(QueryTerm(path: term.path, comparison: comparison))
        case .linked(let relationship, let types, let query):
            query.applying(comparison).map { .linked(relationship: relationship, entityTypes: types, query: $0) }
        default:
            nil
        }
    }
}

/// The recursive-descent parser for `q`; values and patterns are in `QueryParser+Values.swift`.
struct QueryParser {
    var cursor: QueryCursor
    /// How many linked-entity braces are open: inside them `}` ends a value.
    var braceDepth = 0

    mutating func parseQuery() throws(NGSIError) -> QueryExpression {
        cursor.skipWhitespace()
        guard !cursor.isAtEnd else { throw cursor.error("the query is empty") }
        let expression = try parseOr()
        cursor.skipWhitespace()
        guard cursor.isAtEnd else {
            switch cursor.current {
            case ")": throw cursor.error("')' without a matching '('")
            case "}": throw cursor.error("'}' without a matching '{'")
            default: throw cursor.error("expected ';', '|' or the end of the query")
            }
        }
        return expression
    }

    mutating func parseOr() throws(NGSIError) -> QueryExpression {
        var items = [try parseAnd()]
        cursor.skipWhitespace()
        while cursor.consume("|") {
            items.append(try parseAnd())
            cursor.skipWhitespace()
        }
        guard items.count > 1 else { return items[0] }
        return .or(items.flatMap { if case .or(let inner) = $0 { inner } else { [$0] } })
    }

    mutating func parseAnd() throws(NGSIError) -> QueryExpression {
        var items = [try parsePrimary()]
        cursor.skipWhitespace()
        while cursor.consume(";") {
            items.append(try parsePrimary())
            cursor.skipWhitespace()
        }
        guard items.count > 1 else { return items[0] }
        return .and(items.flatMap { if case .and(let inner) = $0 { inner } else { [$0] } })
    }

    mutating func parsePrimary() throws(NGSIError) -> QueryExpression {
        cursor.skipWhitespace()
        let start = cursor.index
        if cursor.consume("(") {
            try cursor.enter()
            let inner = try parseOr()
            cursor.skipWhitespace()
            guard cursor.consume(")") else {
                throw cursor.error(cursor.isAtEnd ? "missing ')' for the '(' at position \(start + 1)" : "expected ')'")
            }
            cursor.leave()
            return inner
        }
        if cursor.consume("!") {
            return try parseNegation()
        }
        return try parseTerm()
    }

    /// `!attr`: the attribute (path) does not exist.
    mutating func parseNegation() throws(NGSIError) -> QueryExpression {
        try cursor.countTerm()
        let name = try parseName(allowColon: true, what: "an attribute name after '!'")
        guard cursor.current != "{" else {
            throw cursor.error("'!' applies to a plain attribute path, not to a linked entity")
        }
        let path = try parsePathRest(attribute: name)
        cursor.skipWhitespace()
        if let c = cursor.current, "=!<>~".unicodeScalars.contains(c) {
            throw cursor.error("'!attr' tests that an attribute does not exist and takes no comparison")
        }
        return .not(.term(QueryTerm(path: path, comparison: nil)))
    }

    mutating func parseTerm() throws(NGSIError) -> QueryExpression {
        try cursor.countTerm()
        let name = try parseName(allowColon: true, what: "an attribute name, '(' or '!'")
        if cursor.consume("{") {
            return try parseLinked(relationship: name)
        }
        let path = try parsePathRest(attribute: name)
        return .term(QueryTerm(path: path, comparison: try parseComparison()))
    }

    /// `rel{[Type,Type:]sub-query}` and an optional comparison after the brace.
    mutating func parseLinked(relationship: String) throws(NGSIError) -> QueryExpression {
        let open = cursor.index - 1
        try cursor.enter()
        braceDepth += 1
        var types: [String] = []
        let save = cursor.index
        if let c = cursor.current, QueryCursor.isLetter(c) {
            var names = [try parseName(allowColon: false, what: "an entity type")]
            while cursor.current == ",", let next = cursor.peek(1), QueryCursor.isLetter(next) {
                cursor.index += 1
                names.append(try parseName(allowColon: false, what: "an entity type"))
            }
            if cursor.consume(":") { types = names } else { cursor.index = save }
        }
        let inner = try parseOr()
        cursor.skipWhitespace()
        guard cursor.consume("}") else {
            throw cursor.error(cursor.isAtEnd ? "missing '}' for the '{' at position \(open + 1)" : "expected '}'")
        }
        braceDepth -= 1
        cursor.leave()
        let linked = QueryExpression.linked(relationship: relationship, entityTypes: types, query: inner)
        let operatorStart = cursor.index
        guard let comparison = try parseComparison() else { return linked }
        guard let applied = linked.applying(comparison) else {
            throw cursor.error(
                "a comparison after '}' needs a single attribute path without a comparison inside the braces",
                at: operatorStart
            )
        }
        return applied
    }

    /// Dots (sub-attributes) and brackets (compound members) after the attribute name.
    mutating func parsePathRest(attribute: String) throws(NGSIError) -> AttributePath {
        var path = AttributePath(attribute: attribute)
        while cursor.consume(".") {
            path.subAttributes.append(try parseName(allowColon: true, what: "a sub-attribute name after '.'"))
        }
        while cursor.current == "[" {
            let open = cursor.index
            cursor.index += 1
            var key = String.UnicodeScalarView()
            while true {
                guard let c = cursor.current else {
                    throw cursor.error("missing ']' for the '[' at position \(open + 1)")
                }
                cursor.index += 1
                if c == "]" || c == "." {
                    guard !key.isEmpty else { throw cursor.error("empty member name in '[…]'", at: cursor.index - 1) }
                    path.compound.append(String(key))
                    key = String.UnicodeScalarView()
                    if c == "]" { break } else { continue }
                }
                guard c != "[", c.value >= 0x20, !c.properties.isWhitespace, c != "\"" else {
                    throw cursor.error("unexpected character in a member name", at: cursor.index - 1)
                }
                key.append(c)
            }
        }
        if cursor.current == "." || cursor.current == "[" {
            throw cursor.error("a path ends with its '[…]' member path")
        }
        return path
    }

    /// An attribute, type or sub-attribute name: a Unicode letter, then letters, digits, `_`, `-` (and `:` for a
    /// `prefix:name` unless `allowColon` is false).
    mutating func parseName(allowColon: Bool, what: String) throws(NGSIError) -> String {
        cursor.skipWhitespace()
        guard let first = cursor.current, QueryCursor.isLetter(first) else { throw cursor.error("expected \(what)") }
        let start = cursor.index
        while let c = cursor.current, QueryCursor.isNameChar(c) || c == "-" || (allowColon && c == ":") {
            cursor.index += 1
        }
        return cursor.text(start..<cursor.index)
    }
}
