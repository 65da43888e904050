extension JSONLDContext {
    /// Bounds on the work one ``JSONLDContext/resolve(_:core:limits:load:)`` may do, against hostile contexts.
    public struct Limits: Sendable {
        /// How deep remote contexts may reference further remote contexts.
        public var maxRemoteDepth: Int
        /// How many distinct remote documents one resolution may load.
        public var maxRemoteContexts: Int
        /// How many context entries (URLs, objects, nulls), across all arrays and documents, one resolution may see.
        public var maxEntries: Int
        /// How many term definitions one resolution may create. Smart Data Models' all-in-one context has a few
        /// thousand.
        public var maxTermDefinitions: Int

        /// Limits with the defaults above, suitable for a public broker.
        public init(
            maxRemoteDepth: Int = 8,
            maxRemoteContexts: Int = 32,
            maxEntries: Int = 1_000,
            maxTermDefinitions: Int = 100_000
        ) {
            self.maxRemoteDepth = maxRemoteDepth
            self.maxRemoteContexts = maxRemoteContexts
            self.maxEntries = maxEntries
            self.maxTermDefinitions = maxTermDefinitions
        }
    }

    /// Processes a user @context on top of the core @context (JSON-LD 1.1 context processing, as NGSI-LD uses it).
    ///
    /// `context` is the value of a payload's `@context` member or the URL of a Link header: a URL string, an inline
    /// context object, `null`, or an array of them. Term definitions may be IRIs, compact IRIs (`schema:name`,
    /// `ngsi-ld:location`, using prefixes from this or earlier contexts, the core ones included) or expanded
    /// definitions with `@id`, `@type`, `@container`, `@protected` …; `@vocab`, `@import`, `@version` and `null`
    /// (a reset to the core @context) are processed; `@base`, `@language` and `@direction` are checked and ignored.
    ///
    /// The core @context always wins (ETSI GS CIM 009, 4.4 and 5.5.7): it is the initial context, so user contexts
    /// may use its prefixes, and its definitions, `@vocab` included, are laid over the result as if it came last.
    /// Redefining a core term is therefore no error, but has no effect.
    ///
    /// - Parameters:
    ///   - context: the local context.
    ///   - core: the core @context version to apply.
    ///   - limits: bounds against hostile contexts.
    ///   - load: fetches the JSON document at an absolute URL (the caller caches and applies its own policy). Never
    ///     called for the core @context URLs; called at most once per URL per resolution.
    /// - Returns: the active context.
    /// - Throws: `BadRequestData` for invalid context content (e.g. a term mapped to a number, a scoped context in a
    ///   user context, recursive inclusion, limits exceeded); whatever `load` throws (e.g. `LdContextNotAvailable`).
    nonisolated(nonsending) public static func resolve(
        _ context: JSON,
        core: NGSILDCoreContext = .defaultVersion,
        limits: Limits = Limits(),
        load: (String) async throws(NGSIError) -> JSON
    ) async throws(NGSIError) -> JSONLDContext {
        var flattener = ContextFlattener(limits: limits)
        var steps: [ContextStep] = []
        try await flattener.flatten(context, base: nil, chain: [], into: &steps, load: load)
        let isCoreOnly = steps.allSatisfy { step in
            switch step {
            case .reset: true
            case .core(let version): version == core
            case .definitions: false
            }
        }
        if isCoreOnly { return .core(core) }

        let table = CoreContextTable.table(for: core)
        var builder = ActiveContextBuilder(
            terms: table.unprotectedTerms,
            vocabulary: table.vocabulary,
            allowsScopedContexts: false,
            maxTermDefinitions: limits.maxTermDefinitions
        )
        for step in steps { try builder.apply(step) }
        var terms = builder.terms
        terms.merge(table.terms) { _, core in core }
        return JSONLDContext(
            storage: Storage(terms: terms, vocabulary: table.vocabulary, coreVersion: core, isCoreOnly: false)
        )
    }
}
