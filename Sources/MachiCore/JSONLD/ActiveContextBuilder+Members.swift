import OrderedCollections

extension ActiveContextBuilder {
    /// `@protected` of an expanded term definition, or the context's default.
    func protection(of term: String, _ map: JSONObject, default defaultValue: Bool) throws(NGSIError) -> Bool {
        guard let protected = map["@protected"] else { return defaultValue }
        guard let flag = protected.boolValue else {
            throw .invalidContext("term '\(term)': @protected must be a boolean, found \(protected.kindName)")
        }
        return flag
    }

    /// The expanded `@type` mapping: `@id`, `@json`, `@none`, `@vocab` or an absolute IRI.
    mutating func typeMapping(
        of term: String,
        _ type: JSON,
        _ pass: inout LocalPass,
        depth: Int
    ) throws(NGSIError) -> String {
        guard case .string(let value) = type else {
            throw .invalidContext("term '\(term)': @type must be a string, found \(type.kindName)")
        }
        guard let iri = try expand(value, vocab: true, &pass, depth: depth),
            ["@id", "@json", "@none", "@vocab"].contains(iri) || IRI.isAbsolute(iri)
        else { throw .invalidContext("term '\(term)': @type \"\(value)\" is neither a keyword nor an absolute IRI") }
        return iri
    }

    /// The `@container` values, checked against JSON-LD 1.1.
    func containers(of term: String, _ container: JSON) throws(NGSIError) -> Set<String> {
        let values: [JSON]
        switch container {
        case .string: values = [container]
        case .array(let array): values = array
        case .null: return []
        default: throw .invalidContext("term '\(term)': @container must be a string or an array of strings")
        }
        var result = Set<String>()
        for value in values {
            guard let name = value.stringValue, ActiveContextBuilder.containerValues.contains(name) else {
                throw .invalidContext("term '\(term)': \(value) is not a valid @container value")
            }
            result.insert(name)
        }
        if result.contains("@list"), result.count > 1 {
            throw .invalidContext("term '\(term)': @list cannot be combined with other @container values")
        }
        return result
    }

    /// Checks and keeps `@language`, `@direction`, `@index`, `@nest` and `@propagate` (none changes term expansion).
    func applyExtras(of term: String, _ map: JSONObject, to definition: inout JSONLDTermDefinition) throws(NGSIError) {
        if let language = map["@language"] {
            guard language.isNull || language.stringValue != nil else {
                throw .invalidContext("term '\(term)': @language must be a string or null, found \(language.kindName)")
            }
            definition.extras["@language"] = language
        }
        if let direction = map["@direction"] {
            guard direction.isNull || direction == "ltr" || direction == "rtl" else {
                throw .invalidContext("term '\(term)': @direction must be \"ltr\", \"rtl\" or null")
            }
            definition.extras["@direction"] = direction
        }
        if let index = map["@index"] {
            guard let name = index.stringValue, !IRI.isKeyword(name), definition.containers.contains("@index") else {
                throw .invalidContext(
                    "term '\(term)': @index must be a non-keyword string and needs an @index container"
                )
            }
            definition.extras["@index"] = index
        }
        if let nest = map["@nest"] {
            guard let name = nest.stringValue, name == "@nest" || !IRI.isKeyword(name) else {
                throw .invalidContext("term '\(term)': @nest must be @nest or a term")
            }
            definition.extras["@nest"] = nest
        }
        if let propagate = map["@propagate"], propagate.boolValue == nil {
            throw .invalidContext("term '\(term)': @propagate must be a boolean, found \(propagate.kindName)")
        }
    }

    /// A protected term may only be restated with the same definition (JSON-LD 1.1 API 4.2.2 step 27).
    func checkRedefinition(
        of term: String,
        previous: JSONLDTermDefinition?,
        with definition: JSONLDTermDefinition?
    ) throws(NGSIError) {
        guard let previous, previous.isProtected else { return }
        guard let definition, definition.sameDefinition(as: previous) else {
            throw .invalidContext("term '\(term)' is protected and cannot be redefined")
        }
    }

    /// JSON-LD 1.1 allows the `@type` keyword only as `{"@container": "@set", "@protected": …}`.
    func checkTypeKeywordDefinition(_ value: JSON) throws(NGSIError) {
        guard case .object(let map) = value, !map.isEmpty,
            map.keys.allSatisfy({ $0 == "@container" || $0 == "@protected" }),
            map["@container"].map({ $0 == "@set" }) ?? true,
            map["@protected"].map({ $0.boolValue != nil }) ?? true
        else { throw .invalidContext("the keyword '@type' can only be given {\"@container\": \"@set\"}") }
    }
}
