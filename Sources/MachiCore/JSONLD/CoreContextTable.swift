import OrderedCollections

/// The processed definitions of one built-in core @context version, computed once on first use.
struct CoreContextTable: Sendable {
    /// The definitions as published (`@protected` where the version says so).
    let terms: [String: JSONLDTermDefinition]
    /// The same definitions, unprotected: the base that user contexts are processed on (see ``ActiveContextBuilder``).
    let unprotectedTerms: [String: JSONLDTermDefinition]
    /// The version's `@vocab`.
    let vocabulary: String
    /// The version's `@context` object, for an `@import` that names a core URL.
    let definitionObject: JSONObject

    static let v1_6 = CoreContextTable(.v1_6)
    static let v1_8 = CoreContextTable(.v1_8)
    static let v1_9 = CoreContextTable(.v1_9)

    /// The table of `version`.
    static func table(for version: NGSILDCoreContext) -> CoreContextTable {
        switch version {
        case .v1_6: v1_6
        case .v1_8: v1_8
        case .v1_9: v1_9
        }
    }

    /// Every term that some built-in core version defines. A user context may restate these (e.g. a copy of a core
    /// context served from another URL) even with scoped contexts, because the core definitions win anyway.
    static let allCoreTermNames: Set<String> = Set(
        NGSILDCoreContext.allCases.flatMap { definitionObject(of: $0).keys }
    )

    private init(_ version: NGSILDCoreContext) {
        let object = CoreContextTable.definitionObject(of: version)
        var builder = ActiveContextBuilder(
            terms: [:],
            vocabulary: nil,
            allowsScopedContexts: true,
            maxTermDefinitions: .max
        )
        do {
            try builder.process(object)
        } catch {
            preconditionFailure("the built-in core @context v\(version.rawValue) does not process: \(error)")
        }
        guard let vocabulary = builder.vocabulary else {
            preconditionFailure("the built-in core @context v\(version.rawValue) has no @vocab")
        }
        self.terms = builder.terms
        self.unprotectedTerms = builder.terms.mapValues { definition in
            var unprotected = definition
            unprotected.isProtected = false
            return unprotected
        }
        self.vocabulary = vocabulary
        self.definitionObject = object
    }

    private static func definitionObject(of version: NGSILDCoreContext) -> JSONObject {
        guard let document = try? JSONParser.parse(version.text), case .object(let context)? = document["@context"]
        else {
            preconditionFailure("the built-in core @context v\(version.rawValue) is not a JSON-LD context document")
        }
        return context
    }
}
