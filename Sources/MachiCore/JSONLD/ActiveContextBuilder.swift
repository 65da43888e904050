import OrderedCollections

/// One step of a local context after remote references are loaded: what context processing applies, in order.
enum ContextStep: Sendable {
    /// `null`: back to the initial context (the core @context).
    case reset
    /// A reference to a core @context version; Machi applies its built-in definitions.
    case core(NGSILDCoreContext)
    /// A context definition object (inline, loaded, or merged with its `@import`).
    case definitions(JSONObject)
}

/// The JSON-LD 1.1 context processing algorithm (JSON-LD 1.1 API, 4.1) over already loaded context definitions.
///
/// Pure and synchronous: ``ContextFlattener`` does the loading first. Starts from a base (the core @context, whose
/// terms are unprotected here: NGSI-LD gives the core @context precedence as if it came last, clause 4.4, so user
/// contexts may restate its terms without a protected-term error and the core definitions are laid over the result).
struct ActiveContextBuilder {
    /// The term definitions so far.
    var terms: [String: JSONLDTermDefinition]
    /// The `@vocab` mapping so far.
    var vocabulary: String?
    /// Terms mapped to `null` so far, and whether each is protected: JSON-LD refuses to use them as IRIs while
    /// processing contexts. (The finished ``JSONLDContext`` treats them as undefined, see
    /// ``JSONLDContext/expandTerm(_:)``.)
    var nullTerms: [String: Bool] = [:]
    /// How many more term definitions may be created.
    var termBudget: Int
    private let resetTerms: [String: JSONLDTermDefinition]
    private let resetVocabulary: String?
    /// Whether term definitions may carry a scoped `@context` (only the core contexts do; see 5.5.7).
    let allowsScopedContexts: Bool

    init(
        terms: [String: JSONLDTermDefinition],
        vocabulary: String?,
        allowsScopedContexts: Bool,
        maxTermDefinitions: Int
    ) {
        self.terms = terms
        self.vocabulary = vocabulary
        self.resetTerms = terms
        self.resetVocabulary = vocabulary
        self.allowsScopedContexts = allowsScopedContexts
        self.termBudget = maxTermDefinitions
    }

    /// Applies one step.
    mutating func apply(_ step: ContextStep) throws(NGSIError) {
        switch step {
        case .reset:
            let protectedTerm =
                terms.first(where: { $0.value.isProtected })?.key ?? nullTerms.first(where: { $0.value })?.key
            if let protected = protectedTerm {
                throw .invalidContext("null cannot reset a context that has the protected term '\(protected)'")
            }
            terms = resetTerms
            vocabulary = resetVocabulary
            nullTerms = [:]
        case .core(let version):
            let table = CoreContextTable.table(for: version)
            terms.merge(table.unprotectedTerms) { _, core in core }
            for term in table.unprotectedTerms.keys { nullTerms.removeValue(forKey: term) }
            vocabulary = table.vocabulary
        case .definitions(let object):
            try process(object)
        }
    }

    /// The keys of a context definition that are not terms.
    static let contextKeywords: Set<String> = [
        "@base", "@direction", "@import", "@language", "@propagate", "@protected", "@version", "@vocab",
    ]

    /// Processes one context definition object (JSON-LD 1.1 API 4.1.2, step 5.5 onwards).
    mutating func process(_ local: JSONObject) throws(NGSIError) {
        if let version = local["@version"], version != .number(1.1) {
            throw .invalidContext("@version must be the number 1.1, found \(version)")
        }
        if let base = local["@base"], !base.isNull, base.stringValue == nil {
            throw .invalidContext("@base must be a string or null, found \(base.kindName)")
        }
        if let language = local["@language"], !language.isNull, language.stringValue == nil {
            throw .invalidContext("@language must be a string or null, found \(language.kindName)")
        }
        if let direction = local["@direction"], !direction.isNull, direction != "ltr", direction != "rtl" {
            throw .invalidContext("@direction must be \"ltr\", \"rtl\" or null, found \(direction)")
        }
        if let propagate = local["@propagate"], propagate.boolValue == nil {
            throw .invalidContext("@propagate must be a boolean, found \(propagate.kindName)")
        }
        var isProtected = false
        if let protected = local["@protected"] {
            guard let flag = protected.boolValue else {
                throw .invalidContext("@protected must be a boolean, found \(protected.kindName)")
            }
            isProtected = flag
        }
        if let vocab = local["@vocab"] {
            switch vocab {
            case .null:
                vocabulary = nil
            case .string(let value):
                // Expanded against the active context only, not this object's terms (JSON-LD 1.1 API 4.1.2 5.8.3).
                var noLocalTerms = LocalPass(local: [:], defaultProtected: false)
                guard let iri = try expand(value, vocab: true, &noLocalTerms, depth: 0),
                    IRI.isAbsolute(iri) || IRI.isBlankNode(iri)
                else { throw .invalidContext("@vocab \"\(value)\" is not an absolute IRI") }
                vocabulary = iri
            default:
                throw .invalidContext("@vocab must be a string or null, found \(vocab.kindName)")
            }
        }
        var pass = LocalPass(local: local, defaultProtected: isProtected)
        for term in local.keys where !ActiveContextBuilder.contextKeywords.contains(term) {
            try define(term, in: &pass, depth: 0)
        }
    }

    /// IRI expansion during context processing (JSON-LD 1.1 API 5.2.2), defining local dependencies on the way.
    /// Returns nil for values that have the form of a keyword but are none (JSON-LD ignores those).
    mutating func expand(
        _ value: String,
        vocab: Bool,
        _ pass: inout LocalPass,
        depth: Int
    ) throws(NGSIError) -> String? {
        if IRI.isKeyword(value) { return value }
        if IRI.hasKeywordForm(value) { return nil }
        if pass.local[value] != nil, pass.defined[value] != true { try define(value, in: &pass, depth: depth + 1) }
        if vocab, let definition = terms[value] { return definition.iri }
        if vocab, nullTerms[value] != nil { return nil }
        if let (prefix, suffix) = IRI.splitCompact(value) {
            if prefix == "_" || suffix.hasPrefix("//") { return value }
            let prefixTerm = String(prefix)
            if pass.local[prefixTerm] != nil, pass.defined[prefixTerm] != true {
                try define(prefixTerm, in: &pass, depth: depth + 1)
            }
            if let definition = terms[prefixTerm], definition.isPrefix { return definition.iri + suffix }
            if IRI.isAbsolute(value) { return value }
        }
        if vocab, let vocabulary { return vocabulary + value }
        return value
    }
}

/// The state of processing one context definition object: which of its terms are defined (true) or in progress.
struct LocalPass {
    let local: JSONObject
    var defined: [String: Bool] = [:]
    let defaultProtected: Bool
}

extension NGSIError {
    /// The longest detail an @context error repeats: hostile input must not come back as a huge error message.
    static let maxContextErrorDetail = 400

    /// A `BadRequestData` error for an @context that JSON-LD context processing rejects.
    static func invalidContext(_ detail: String) -> NGSIError {
        let shown =
            detail.count > maxContextErrorDetail ? detail.prefix(maxContextErrorDetail) + "…" : Substring(detail)
        return NGSIError(.badRequestData, "Invalid @context: \(shown)")
    }
}
