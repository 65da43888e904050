import OrderedCollections

extension ActiveContextBuilder {
    /// How deep term definitions may depend on each other (`a` → `b:x` → `c:y` …) before the context is rejected.
    static let maxDefinitionDepth = 32

    /// The members an expanded term definition may have.
    static let termDefinitionKeys: Set<String> = [
        "@id", "@reverse", "@type", "@container", "@context", "@language", "@direction", "@index", "@prefix",
        "@propagate", "@protected", "@nest",
    ]

    /// The `@container` values JSON-LD 1.1 knows.
    static let containerValues: Set<String> = ["@list", "@set", "@index", "@language", "@graph", "@id", "@type"]

    /// Creates the definition of `term` from the local context (JSON-LD 1.1 API 4.2.2 "Create Term Definition").
    mutating func define(_ term: String, in pass: inout LocalPass, depth: Int) throws(NGSIError) {
        if let state = pass.defined[term] {
            if state { return }
            throw .invalidContext("the definition of term '\(term)' depends on itself (cyclic IRI mapping)")
        }
        guard depth <= ActiveContextBuilder.maxDefinitionDepth else {
            throw .invalidContext(
                "term definitions depend on each other more than \(ActiveContextBuilder.maxDefinitionDepth) levels deep"
            )
        }
        guard !term.isEmpty else { throw .invalidContext("a term must not be the empty string") }
        guard termBudget > 0 else { throw .invalidContext("the @context defines too many terms") }
        guard let value = pass.local[term] else { return }
        pass.defined[term] = false
        defer { pass.defined[term] = true }

        if term == "@type" {
            try checkTypeKeywordDefinition(value)
            return
        }
        if IRI.isKeyword(term) { throw .invalidContext("the keyword '\(term)' cannot be redefined") }
        if IRI.hasKeywordForm(term) { return }  // reserved for future keywords: ignored, as JSON-LD says
        termBudget -= 1

        let previous = terms.removeValue(forKey: term)
        let previousNull = nullTerms.removeValue(forKey: term)
        let map: JSONObject
        let isSimple: Bool
        switch value {
        case .null:
            map = ["@id": .null]
            isSimple = false
        case .string(let iri):
            map = ["@id": .string(iri)]
            isSimple = true
        case .object(let object):
            map = object
            isSimple = false
        default:
            throw .invalidContext("term '\(term)' must map to a string, an object or null, not to a \(value.kindName)")
        }
        for key in map.keys where !ActiveContextBuilder.termDefinitionKeys.contains(key) {
            throw .invalidContext("term '\(term)': '\(key)' is not allowed in a term definition")
        }
        let isProtected = try protection(of: term, map, default: pass.defaultProtected)
        guard var definition = try mapping(of: term, map, isSimple: isSimple, &pass, depth: depth) else {
            // Mapped to null (or to a reserved keyword form): the term is left undefined, so it falls back to @vocab.
            try checkRedefinition(of: term, previous: previous, with: nil)
            nullTerms[term] = isProtected || previousNull == true
            return
        }
        definition.isProtected = isProtected
        if let type = map["@type"] {
            definition.typeMapping = try typeMapping(of: term, type, &pass, depth: depth)
        }
        if let container = map["@container"] {
            definition.containers = try containers(of: term, container)
        }
        if map["@context"] != nil, !allowsScopedContexts, !CoreContextTable.allCoreTermNames.contains(term) {
            throw .invalidContext(
                "term '\(term)' has a scoped @context, which NGSI-LD user contexts must not contain "
                    + "(ETSI GS CIM 009, 5.5.7)"
            )
        }
        try applyExtras(of: term, map, to: &definition)
        if let prefix = map["@prefix"] {
            guard let flag = prefix.boolValue else {
                throw .invalidContext("term '\(term)': @prefix must be a boolean, found \(prefix.kindName)")
            }
            if term.contains(":") || term.contains("/") {
                throw .invalidContext("term '\(term)' contains ':' or '/' and so cannot have @prefix")
            }
            if flag, IRI.isKeyword(definition.iri) {
                throw .invalidContext("term '\(term)' is a keyword alias and so cannot be a prefix")
            }
            definition.isPrefix = flag
        }
        if previousNull == true { throw .invalidContext("term '\(term)' is protected and cannot be redefined") }
        try checkRedefinition(of: term, previous: previous, with: definition)
        terms[term] = previous.flatMap { $0.isProtected ? $0 : nil } ?? definition
    }

    /// The IRI mapping (JSON-LD 1.1 API 4.2.2 steps 13–20), or nil if the term is mapped to null.
    private mutating func mapping(
        of term: String,
        _ map: JSONObject,
        isSimple: Bool,
        _ pass: inout LocalPass,
        depth: Int
    ) throws(NGSIError) -> JSONLDTermDefinition? {
        if let reverse = map["@reverse"] {
            guard map["@id"] == nil, map["@nest"] == nil else {
                throw .invalidContext("term '\(term)': @reverse cannot be combined with @id or @nest")
            }
            guard case .string(let value) = reverse else {
                throw .invalidContext("term '\(term)': @reverse must be a string, found \(reverse.kindName)")
            }
            if IRI.hasKeywordForm(value) { return nil }
            guard let iri = try expand(value, vocab: true, &pass, depth: depth), IRI.isAbsolute(iri) else {
                throw .invalidContext("term '\(term)': @reverse \"\(value)\" is not an absolute IRI")
            }
            return JSONLDTermDefinition(iri: iri, isReverse: true)
        }
        if let id = map["@id"], id != .string(term) {
            guard case .string(let value) = id else {
                if id.isNull { return nil }
                throw .invalidContext("term '\(term)': @id must be a string or null, found \(id.kindName)")
            }
            if !IRI.isKeyword(value), IRI.hasKeywordForm(value) { return nil }
            guard let iri = try expand(value, vocab: true, &pass, depth: depth),
                IRI.isKeyword(iri) || IRI.isAbsolute(iri)
            else { throw .invalidContext("term '\(term)' maps to \"\(value)\", which is not an absolute IRI") }
            if iri == "@context" { throw .invalidContext("term '\(term)' cannot be an alias of @context") }
            if term.dropFirst().dropLast().contains(":") || term.contains("/") {
                // A term that looks like a compact IRI or an IRI must not change what it would expand to.
                pass.defined[term] = true
                let own = try expand(term, vocab: true, &pass, depth: depth)
                pass.defined[term] = false
                guard own == iri else {
                    throw .invalidContext("term '\(term)' looks like an IRI but maps to the different IRI \"\(iri)\"")
                }
            }
            let isPrefix =
                isSimple && !term.contains(":") && !term.contains("/")
                && (IRI.endsWithGenDelim(iri) || IRI.isBlankNode(iri))
            return JSONLDTermDefinition(iri: iri, isPrefix: isPrefix)
        }
        if let (prefix, suffix) = IRI.splitCompact(term) {
            let prefixTerm = String(prefix)
            if pass.local[prefixTerm] != nil { try define(prefixTerm, in: &pass, depth: depth + 1) }
            if let definition = terms[prefixTerm] { return JSONLDTermDefinition(iri: definition.iri + suffix) }
            return JSONLDTermDefinition(iri: term)
        }
        if term.contains("/") {
            pass.defined[term] = true  // the term itself is what is being expanded, not a dependency
            defer { pass.defined[term] = false }
            guard let iri = try expand(term, vocab: true, &pass, depth: depth), IRI.isAbsolute(iri) else {
                throw .invalidContext("term '\(term)' is a relative IRI that does not expand to an absolute IRI")
            }
            return JSONLDTermDefinition(iri: iri)
        }
        guard let vocabulary else {
            throw .invalidContext("term '\(term)' has no IRI and no @vocab applies to it")
        }
        return JSONLDTermDefinition(iri: vocabulary + term)
    }
}
