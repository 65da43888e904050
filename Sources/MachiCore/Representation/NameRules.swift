import OrderedCollections

/// Syntax rules for identifiers in NGSI-LD payloads and URLs.
public enum NameRules {
    /// Whether `value` is an absolute URI: a scheme (`urn:`, `https:`, …) followed by something.
    public static func isURI(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":"), colon != value.startIndex,
            value.index(after: colon) != value.endIndex
        else { return false }
        let scheme = value[..<colon].unicodeScalars
        guard let first = scheme.first, isASCIILetter(first) else { return false }
        guard scheme.allSatisfy({ isASCIILetter($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) })
        else { return false }
        return !value.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.value < 0x20 || forbiddenInURI.contains($0)
        }
    }

    /// Whether `name` is acceptable as an attribute name or type: no characters the NGSI-LD API forbids
    /// in names (`<>"'=;()` and controls, white space), not empty.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 1024 else { return false }
        return !name.unicodeScalars.contains {
            $0.properties.isWhitespace || $0.value < 0x20 || forbiddenInNames.contains($0)
        }
    }

    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static let forbiddenInNames: Set<Unicode.Scalar> = ["<", ">", "\"", "'", "=", ";", "(", ")", "\\"]
    static let forbiddenInURI: Set<Unicode.Scalar> = ["<", ">", "\"", "{", "}", "|", "\\", "^", "`"]
}
