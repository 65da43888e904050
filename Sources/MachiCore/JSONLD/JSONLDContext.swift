/// An active JSON-LD context for NGSI-LD: the core @context plus a request's user @context, ready to expand
/// attribute names and entity types to IRIs and to compact IRIs back to short names.
///
/// Build one with ``resolve(_:core:limits:load:)`` from the `@context` of a payload or a Link header, or use
/// ``core`` when a request has none (ETSI GS CIM 009, 5.5.5). As NGSI-LD requires (4.4, 5.5.7), the core @context
/// always takes precedence, as if it came last in the `@context` array: a user context cannot redefine `id`,
/// `type`, `value`, `location`, … and the core `@vocab` (`https://uri.etsi.org/ngsi-ld/default-context/`) applies
/// to every term that no context defines.
///
/// ```swift
/// let context = try await JSONLDContext.resolve(payload["@context"] ?? .null) { url throws(NGSIError) in
///     try await contextCache.document(at: url)
/// }
/// context.expandTerm("WaterObserved")  // "https://smartdatamodels.org/dataModel.Environment/WaterObserved"
/// context.compactIRI("https://uri.etsi.org/ngsi-ld/location")  // "location"
/// ```
///
/// A context is immutable and cheap to copy (one reference); expansion and compaction are dictionary look-ups on
/// tables built once by `resolve`.
public struct JSONLDContext: Sendable {
    /// The immutable tables of a context. A final class with only `let` members of Sendable types, so Sendable.
    final class Storage: Sendable {
        let terms: [String: JSONLDTermDefinition]
        let vocabulary: String
        let coreVersion: NGSILDCoreContext
        let isCoreOnly: Bool
        /// The preferred term for each IRI (JSON-LD: shortest, then lexicographically least).
        let termsByIRI: [String: String]
        /// The prefix terms for each IRI they stand for.
        let prefixesByIRI: [String: [String]]
        /// The distinct UTF-8 lengths of the keys of `prefixesByIRI`, ascending.
        let prefixLengths: [Int]

        init(
            terms: [String: JSONLDTermDefinition],
            vocabulary: String,
            coreVersion: NGSILDCoreContext,
            isCoreOnly: Bool
        ) {
            var termsByIRI: [String: String] = [:]
            var prefixesByIRI: [String: [String]] = [:]
            for (term, definition) in terms where !definition.isReverse {
                if termsByIRI[definition.iri].map({ JSONLDContext.precedes(term, $0) }) ?? true {
                    termsByIRI[definition.iri] = term
                }
                if definition.isPrefix { prefixesByIRI[definition.iri, default: []].append(term) }
            }
            self.terms = terms
            self.vocabulary = vocabulary
            self.coreVersion = coreVersion
            self.isCoreOnly = isCoreOnly
            self.termsByIRI = termsByIRI
            self.prefixesByIRI = prefixesByIRI
            self.prefixLengths = Set(prefixesByIRI.keys.map(\.utf8.count)).sorted()
        }
    }

    let storage: Storage

    init(storage: Storage) { self.storage = storage }

    /// The core @context v1.8 alone: the context of a request that brings none (5.5.5).
    public static let core = JSONLDContext.core(.defaultVersion)

    /// The core @context of `version` alone.
    public static func core(_ version: NGSILDCoreContext) -> JSONLDContext {
        switch version {
        case .v1_6: coreV1_6
        case .v1_8: coreV1_8
        case .v1_9: coreV1_9
        }
    }

    private static let coreV1_6 = JSONLDContext(coreTable: .v1_6, version: .v1_6)
    private static let coreV1_8 = JSONLDContext(coreTable: .v1_8, version: .v1_8)
    private static let coreV1_9 = JSONLDContext(coreTable: .v1_9, version: .v1_9)

    private init(coreTable: CoreContextTable, version: NGSILDCoreContext) {
        storage = Storage(
            terms: coreTable.terms,
            vocabulary: coreTable.vocabulary,
            coreVersion: version,
            isCoreOnly: true
        )
    }

    /// The core @context version this context is built on.
    public var coreVersion: NGSILDCoreContext { storage.coreVersion }

    /// Whether this is a core @context alone, without user terms.
    public var isCoreOnly: Bool { storage.isCoreOnly }

    /// The `@vocab` in force: always the core one, `https://uri.etsi.org/ngsi-ld/default-context/`, because the
    /// core @context is applied last.
    public var vocabularyMapping: String { storage.vocabulary }

    /// The definition of `term`, if the context defines it.
    public func definition(of term: String) -> JSONLDTermDefinition? { storage.terms[term] }

    /// Whether `a` is preferred over `b` as a compacted form: shorter, then lexicographically least (JSON-LD 1.1).
    static func precedes(_ a: String, _ b: String) -> Bool {
        let lengthA = a.unicodeScalars.count
        let lengthB = b.unicodeScalars.count
        if lengthA != lengthB { return lengthA < lengthB }
        return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
