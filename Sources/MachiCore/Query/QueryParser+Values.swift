/// Operators, values and patterns of a query term.
extension QueryParser {
    /// The operator and value after a path, or `nil` when the term only tests existence.
    mutating func parseComparison() throws(NGSIError) -> QueryComparison? {
        cursor.skipWhitespace()
        let start = cursor.index
        if cursor.consume("==") { return .equal(try parseEqualityValue(operator: "==")) }
        if cursor.consume("!=") { return .notEqual(try parseEqualityValue(operator: "!=")) }
        if cursor.consume("!~=") { return .notMatches(try parsePattern()) }
        if cursor.consume("~=") { return .matches(try parsePattern()) }
        if cursor.consume(">=") { return .greaterOrEqual(try parseOrderedValue(operator: ">=")) }
        if cursor.consume(">") { return .greater(try parseOrderedValue(operator: ">")) }
        if cursor.consume("<=") { return .lessOrEqual(try parseOrderedValue(operator: "<=")) }
        if cursor.consume("<") { return .less(try parseOrderedValue(operator: "<")) }
        switch cursor.current {
        case nil, ";", "|", ")": return nil
        case "}" where braceDepth > 0: return nil
        case "=": throw cursor.error("'=' is not an operator; use '=='", at: start)
        default: throw cursor.error("expected an operator (==, !=, >, >=, <, <=, ~=, !~=), ';', '|' or the end")
        }
    }

    /// `==`/`!=`: a value, a list `a,b,c` or a range `a..b`.
    mutating func parseEqualityValue(operator op: String) throws(NGSIError) -> QueryValue {
        var items: [QueryValue] = []
        repeat {
            cursor.skipWhitespace()
            let start = cursor.index
            let item = try parseElement(operator: op)
            if case .range = item, !items.isEmpty || cursor.current == "," {
                throw cursor.error("a range cannot be part of a value list", at: start)
            }
            items.append(item)
            cursor.skipWhitespace()
        } while cursor.consume(",")
        return items.count == 1 ? items[0] : .list(items)
    }

    /// `>`, `>=`, `<`, `<=`: one number, quoted string or date/time.
    mutating func parseOrderedValue(operator op: String) throws(NGSIError) -> QueryValue {
        cursor.skipWhitespace()
        let start = cursor.index
        let value = try parseElement(operator: op)
        cursor.skipWhitespace()
        if cursor.current == "," { throw cursor.error("'\(op)' takes one value, not a list") }
        switch value {
        case .number, .string, .dateTime: return value
        case .range: throw cursor.error("'\(op)' takes one value, not a range; use '==' with a range", at: start)
        default: throw cursor.error("'\(op)' needs a number, a quoted string or a date/time", at: start)
        }
    }

    /// One value, or a range of two.
    mutating func parseElement(operator op: String) throws(NGSIError) -> QueryValue {
        let start = cursor.index
        let low = try parseScalar(operator: op)
        guard cursor.consume("..") else { return low }
        let high = try parseScalar(operator: op)
        switch (low, high) {
        case (.number, .number), (.string, .string): break
        case (.dateTime(let a), .dateTime(let b)) where TemporalValue(a)?.kind == TemporalValue(b)?.kind: break
        default:
            throw cursor.error("a range needs two numbers, two quoted strings or two date/times of one kind", at: start)
        }
        return .range(low, high)
    }

    /// A quoted string, `true`, `false`, a number, a DateTime/Date/Time or an unquoted URI/token.
    mutating func parseScalar(operator op: String) throws(NGSIError) -> QueryValue {
        guard let first = cursor.current else { throw cursor.error("expected a value after '\(op)'") }
        if first == "\"" { return .string(try parseQuotedString()) }
        let start = cursor.index
        while let c = cursor.current {
            if c == "," || c == ";" || c == "|" || c == ")" || c == "\"" || c.properties.isWhitespace { break }
            if c == "}" && braceDepth > 0 { break }
            if c == ".", cursor.peek(1) == ".", Self.isRangeBound(cursor.text(start..<cursor.index)) { break }
            guard c.value >= 0x20, !"<>{}\\^`".unicodeScalars.contains(c) else {
                throw cursor.error("unexpected character in a value")
            }
            cursor.index += 1
        }
        guard cursor.index > start else { throw cursor.error("expected a value after '\(op)'") }
        let token = cursor.text(start..<cursor.index)
        if token == "true" { return .bool(true) }
        if token == "false" { return .bool(false) }
        if Self.isJSONNumber(token) {
            guard let number = Double(token), number.isFinite else {
                throw cursor.error("the number \(token) is out of range", at: start)
            }
            return .number(number)
        }
        if TemporalValue(token) != nil { return .dateTime(token) }
        return .uri(token)
    }

    /// Whether an unquoted token before `..` is a range bound (a number or a date/time), not part of a URI.
    static func isRangeBound(_ token: String) -> Bool { isJSONNumber(token) || TemporalValue(token) != nil }

    /// A JSON string (RFC 8259 section 7) with its escapes resolved.
    mutating func parseQuotedString() throws(NGSIError) -> String {
        let open = cursor.index
        cursor.index += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let c = cursor.current else { throw cursor.error("unterminated string starting", at: open) }
            cursor.index += 1
            switch c {
            case "\"":
                return String(result)
            case "\\":
                guard let escaped = cursor.current else { throw cursor.error("unterminated string starting", at: open) }
                cursor.index += 1
                switch escaped {
                case "\"", "\\", "/": result.append(escaped)
                case "b": result.append("\u{08}")
                case "f": result.append("\u{0C}")
                case "n": result.append("\n")
                case "r": result.append("\r")
                case "t": result.append("\t")
                case "u": result.append(try parseUnicodeEscape())
                default: throw cursor.error("invalid escape '\\\(escaped)' in a string", at: cursor.index - 2)
                }
            default:
                guard c.value >= 0x20 else { throw cursor.error("control character in a string", at: cursor.index - 1) }
                result.append(c)
            }
        }
    }

    /// The scalar of `\uXXXX`, or of a `\uD8xx\uDCxx` surrogate pair.
    mutating func parseUnicodeEscape() throws(NGSIError) -> Unicode.Scalar {
        let start = cursor.index - 2
        let high = try parseHex4()
        if (0xD800...0xDBFF).contains(high) {
            guard cursor.consume("\\u") else { throw cursor.error("unpaired surrogate in a \\u escape", at: start) }
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw cursor.error("invalid surrogate pair", at: start) }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = Unicode.Scalar(high) else {
            throw cursor.error("unpaired surrogate in a \\u escape", at: start)
        }
        return scalar
    }

    mutating func parseHex4() throws(NGSIError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = cursor.current, let digit = Self.hexDigit(c) ?? Self.hexLetter(c) else {
                throw cursor.error("expected four hexadecimal digits after \\u")
            }
            value = value << 4 | digit
            cursor.index += 1
        }
        return value
    }

    static func hexDigit(_ c: Unicode.Scalar) -> UInt32? { ("0"..."9").contains(c) ? c.value - 0x30 : nil }

    static func hexLetter(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "a"..."f": c.value - 0x61 + 10
        case "A"..."F": c.value - 0x41 + 10
        default: nil
        }
    }

    /// `~=`/`!~=`: a quoted pattern (only `\"` is unescaped, so `"\d+"` means `\d+`) or an unquoted one that
    /// ends at `;`, `|` or `)` outside its own parentheses and character classes. The pattern is compiled now, so an invalid one is a syntax error.
    mutating func parsePattern() throws(NGSIError) -> String {
        cursor.skipWhitespace()
        let start = cursor.index
        var pattern = String.UnicodeScalarView()
        if cursor.consume("\"") {
            while true {
                guard let c = cursor.current else { throw cursor.error("unterminated pattern starting", at: start) }
                cursor.index += 1
                if c == "\"" { break }
                if c == "\\", cursor.current == "\"" {
                    pattern.append("\"")
                    cursor.index += 1
                } else {
                    pattern.append(c)
                }
            }
        } else {
            var parentheses = 0
            var inClass = false
            while let c = cursor.current {
                if !inClass && parentheses == 0 && (c == ";" || c == "|" || (c == "}" && braceDepth > 0)) { break }
                if !inClass && c == ")" {
                    if parentheses == 0 { break }
                    parentheses -= 1
                } else if !inClass && c == "(" {
                    parentheses += 1
                } else if c == "[" {
                    inClass = true
                } else if c == "]" {
                    inClass = false
                }
                pattern.append(c)
                cursor.index += 1
                if c == "\\", let next = cursor.current {
                    pattern.append(next)
                    cursor.index += 1
                }
            }
        }
        let text = String(pattern)
        guard !text.isEmpty else { throw cursor.error("expected a regular expression", at: start) }
        guard QueryRegex.compile(text) != nil else { throw cursor.error("invalid regular expression", at: start) }
        return text
    }

    /// RFC 8259 `number`: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isJSONNumber(_ token: String) -> Bool {
        var bytes = token.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        func digits(_ s: inout Substring.UTF8View) -> Int {
            var n = 0
            while let b = s.first, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                s = s.dropFirst()
                n += 1
            }
            return n
        }
        guard let first = bytes.first else { return false }
        let integerDigits = digits(&bytes)
        guard integerDigits > 0, first != UInt8(ascii: "0") || integerDigits == 1 else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits(&bytes) > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits(&bytes) > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
