/// A position in a query string being parsed, shared by the q, type and scope parsers.
///
/// Works on Unicode scalars, so names may use any Unicode letter, and reports 1-based positions in errors.
struct QueryCursor {
    /// What is parsed, for error messages (`q`, `type`, `scopeQ`).
    let language: String
    let scalars: [Unicode.Scalar]
    let limits: QueryLimits
    var index = 0
    var depth = 0
    var terms = 0

    init(_ text: String, language: String, limits: QueryLimits) throws(NGSIError) {
        self.language = language
        self.limits = limits
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(min(text.utf8.count, limits.maxLength + 1))
        for scalar in text.unicodeScalars {
            scalars.append(scalar)
            if scalars.count > limits.maxLength {
                throw NGSIError(
                    .tooComplexQuery,
                    "\(language) is longer than \(limits.maxLength) characters"
                )
            }
        }
        self.scalars = scalars
    }

    var isAtEnd: Bool { index >= scalars.count }
    var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        let i = index + offset
        return i >= 0 && i < scalars.count ? scalars[i] : nil
    }

    /// Consumes `text` if the input continues with it.
    mutating func consume(_ text: String) -> Bool {
        var i = index
        for scalar in text.unicodeScalars {
            guard i < scalars.count, scalars[i] == scalar else { return false }
            i += 1
        }
        index = i
        return true
    }

    mutating func skipWhitespace() {
        while let c = current, c.properties.isWhitespace { index += 1 }
    }

    func text(_ range: Range<Int>) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars[range])
        return String(s)
    }

    /// A `BadRequestData` error that says where.
    func error(_ message: String, at position: Int? = nil) -> NGSIError {
        let at = min(position ?? index, scalars.count)
        let found = at < scalars.count ? "'\(Self.describe(scalars[at]))'" : "the end"
        return NGSIError(.badRequestData, "Invalid \(language) at position \(at + 1) (\(found)): \(message)")
    }

    /// Enters a parenthesis or brace level.
    mutating func enter() throws(NGSIError) {
        depth += 1
        if depth > limits.maxDepth {
            throw NGSIError(.tooComplexQuery, "\(language) nests deeper than \(limits.maxDepth) levels")
        }
    }

    mutating func leave() { depth -= 1 }

    /// Counts one term.
    mutating func countTerm() throws(NGSIError) {
        terms += 1
        if terms > limits.maxTerms {
            throw NGSIError(.tooComplexQuery, "\(language) has more than \(limits.maxTerms) terms")
        }
    }

    static func describe(_ scalar: Unicode.Scalar) -> String {
        scalar.properties.generalCategory == .control || scalar.properties.isWhitespace
            ? "U+" + String(scalar.value, radix: 16, uppercase: true) : String(scalar)
    }

    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: true
        default: false
        }
    }

    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: true
        default: false
        }
    }

    /// `TermChar` of 4.9: a Unicode letter or number, or `_`.
    static func isNameChar(_ c: Unicode.Scalar) -> Bool { c == "_" || isLetter(c) || isNumber(c) }
}
