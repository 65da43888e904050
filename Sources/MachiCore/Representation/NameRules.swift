import OrderedCollections

/// Syntax rules for identifiers in NGSI-LD payloads and URLs.
public enum NameRules {
    /// The NGSI-LD Null (ETSI GS CIM 009, 4.5.0): marks a member for deletion in partial updates and merges.
    public static let null = "urn:ngsi-ld:null"

    /// Whether `value` is an absolute URI: a scheme (`urn:`, `https:`, …) followed by something, with none of the
    /// characters RFC 3986/3987 exclude and none that are invisible or render as something else (4.5.1).
    public static func isURI(_ value: String) -> Bool {
        guard let colon = value.firstIndex(of: ":"), colon != value.startIndex,
            value.index(after: colon) != value.endIndex
        else { return false }
        let scheme = value[..<colon].unicodeScalars
        guard let first = scheme.first, isASCIILetter(first) else { return false }
        guard scheme.allSatisfy({ isASCIILetter($0) || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0) })
        else { return false }
        return !value.unicodeScalars.contains { forbiddenInURI.contains($0) || isInvisible($0) }
    }

    /// Whether `id` can identify an Entity: a URI that is not the NGSI-LD Null.
    public static func isEntityId(_ id: String) -> Bool { id != null && isURI(id) }

    /// Whether `name` is acceptable as an attribute name or type: no characters the NGSI-LD API forbids
    /// in names (`<>"'=;()` and controls, white space), not empty.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 1024 else { return false }
        return !name.unicodeScalars.contains {
            // ASCII without Unicode property lookups: white space and controls are all at or below 0x20.
            ($0.isASCII ? $0.value <= 0x20 : $0.properties.isWhitespace) || forbiddenInNames.contains($0)
        }
    }

    /// Whether `name` is an Attribute name or Entity Type name as written in a payload (4.6.2): either a short name
    /// that starts with a letter (`unicodeLetter *nameChar`), or a compact or full IRI; never invisible characters.
    public static func isValidTerm(_ name: String) -> Bool {
        guard isValidName(name), let first = name.unicodeScalars.first else { return false }
        guard !name.unicodeScalars.contains(where: isInvisible) else { return false }
        if name.contains(":") { return isASCIILetter(first) }
        return first.properties.isAlphabetic
    }

    static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// Characters an identifier must not carry: controls, white space, format characters (bidi overrides,
    /// zero-width spaces, the BOM), variation selectors, noncharacters and the blank-looking fillers.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        // Printable ASCII, nearly every character of real identifiers, needs no Unicode property lookup.
        if (0x21...0x7E).contains(scalar.value) { return false }
        let properties = scalar.properties
        if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || properties.isWhitespace { return true }
        if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint
            || properties.isVariationSelector
        {
            return true
        }
        switch properties.generalCategory {
        case .format, .control, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: return true
        default: return blankLooking.contains(scalar.value)
        }
    }

    /// Visible-width blanks that Unicode does not class as white space or ignorable.
    static let blankLooking: Set<UInt32> = [0x2800, 0x115F, 0x1160, 0x3164, 0xFFA0]

    static let forbiddenInNames: Set<Unicode.Scalar> = ["<", ">", "\"", "'", "=", ";", "(", ")", "\\"]
    static let forbiddenInURI: Set<Unicode.Scalar> = ["<", ">", "\"", "{", "}", "|", "\\", "^", "`", " "]
}
