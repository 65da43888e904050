import Foundation

/// IRI and keyword helpers for JSON-LD 1.1 context processing (https://www.w3.org/TR/json-ld11-api/).
enum IRI {
    /// The JSON-LD 1.1 keywords.
    static let keywords: Set<String> = [
        "@base", "@container", "@context", "@direction", "@graph", "@id", "@import", "@included", "@index", "@json",
        "@language", "@list", "@nest", "@none", "@prefix", "@propagate", "@protected", "@reverse", "@set", "@type",
        "@value", "@version", "@vocab",
    ]

    /// Whether `value` is a JSON-LD keyword.
    static func isKeyword(_ value: String) -> Bool { value.hasPrefix("@") && keywords.contains(value) }

    /// Whether `value` has the form of a keyword (`@` followed by ASCII letters only). JSON-LD ignores such terms.
    static func hasKeywordForm(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard utf8.count > 1, utf8.first == UInt8(ascii: "@") else { return false }
        return utf8.dropFirst().allSatisfy(isASCIILetter)
    }

    /// Whether `value` is an absolute IRI: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`) and a colon,
    /// with no whitespace. A blank node identifier (`_:b0`) counts too, as in the reference implementations.
    static func isAbsolute(_ value: String) -> Bool {
        let utf8 = value.utf8
        guard let colon = utf8.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let scheme = utf8[..<colon]
        guard let first = scheme.first else { return false }
        let validScheme =
            (scheme.count == 1 && first == UInt8(ascii: "_"))
            || (isASCIILetter(first) && scheme.dropFirst().allSatisfy(isSchemeCharacter))
        return validScheme && !utf8[colon...].contains(where: isWhitespace)
    }

    /// Whether `value` is a blank node identifier (`_:` prefix).
    static func isBlankNode(_ value: String) -> Bool { value.hasPrefix("_:") }

    /// Whether the IRI ends with a URI gen-delim character (`:/?#[]@`), which makes a simple term a prefix.
    static func endsWithGenDelim(_ value: String) -> Bool {
        guard let last = value.utf8.last else { return false }
        return genDelims.contains(last)
    }

    /// Splits `prefix:suffix` at the first colon after the first character, as IRI expansion does.
    static func splitCompact(_ value: String) -> (prefix: Substring, suffix: Substring)? {
        guard let colon = value.utf8.dropFirst().firstIndex(of: UInt8(ascii: ":")) else { return nil }
        return (value[..<colon], value[value.index(after: colon)...])
    }

    /// Resolves a context reference against the URL of the document that contains it (RFC 3986 section 5).
    static func resolve(_ reference: String, against base: String?) -> String? {
        if isAbsolute(reference) { return reference }
        guard let base, let baseURL = URL(string: base), let resolved = URL(string: reference, relativeTo: baseURL)
        else { return nil }
        let absolute = resolved.absoluteString
        return isAbsolute(absolute) ? absolute : nil
    }

    private static let genDelims: Set<UInt8> = Set(":/?#[]@".utf8)

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isSchemeCharacter(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
