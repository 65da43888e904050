import OrderedCollections

/// Loads the remote documents a local context references and flattens it into ``ContextStep``s, in order.
///
/// Follows nested remote contexts (a loaded document whose `@context` references other URLs) with a depth limit and
/// cycle detection, resolves relative references against the referencing document, merges `@import`, and loads each
/// URL at most once per resolution. Core @context URLs are never loaded.
struct ContextFlattener {
    let limits: JSONLDContext.Limits
    private var documents: [String: JSON] = [:]
    private var entries = 0

    init(limits: JSONLDContext.Limits) { self.limits = limits }

    /// Appends the steps of `context` (a URL string, an object, null, or an array of them) to `steps`.
    nonisolated(nonsending) mutating func flatten(
        _ context: JSON,
        base: String?,
        chain: [String],
        into steps: inout [ContextStep],
        load: (String) async throws(NGSIError) -> JSON
    ) async throws(NGSIError) {
        guard case .array(let array) = context else {
            try await flattenEntry(context, base: base, chain: chain, into: &steps, load: load)
            return
        }
        for entry in array {
            if case .array = entry { throw .invalidContext("an @context array must not contain arrays") }
            try await flattenEntry(entry, base: base, chain: chain, into: &steps, load: load)
        }
    }

    nonisolated(nonsending) private mutating func flattenEntry(
        _ entry: JSON,
        base: String?,
        chain: [String],
        into steps: inout [ContextStep],
        load: (String) async throws(NGSIError) -> JSON
    ) async throws(NGSIError) {
        entries += 1
        guard entries <= limits.maxEntries else {
            throw .invalidContext("the @context has more than \(limits.maxEntries) entries")
        }
        switch entry {
        case .null:
            steps.append(.reset)
        case .string(let reference):
            let url: String
            switch try locate(reference, base: base) {
            case .core(let version):
                steps.append(.core(version))
                return
            case .remote(let remote):
                url = remote
            }
            let document = try await self.document(at: url, chain: chain, load: load)
            guard let inner = document["@context"] else {
                throw .invalidContext("the document at \(url) has no top-level @context member")
            }
            try await flatten(inner, base: url, chain: chain + [url], into: &steps, load: load)
        case .object(let object):
            steps.append(.definitions(try await mergingImport(into: object, base: base, chain: chain, load: load)))
        default:
            throw .invalidContext("an @context entry must be a URL, an object or null, not a \(entry.kindName)")
        }
    }

    /// The context object with its `@import`ed context merged under it (JSON-LD 1.1 API 4.1.2 step 5.6).
    nonisolated(nonsending) private mutating func mergingImport(
        into object: JSONObject,
        base: String?,
        chain: [String],
        load: (String) async throws(NGSIError) -> JSON
    ) async throws(NGSIError) -> JSONObject {
        guard let reference = object["@import"] else { return object }
        guard case .string(let value) = reference else {
            throw .invalidContext("@import must be a URL string, found \(reference.kindName)")
        }
        var imported: JSONObject
        switch try locate(value, base: base) {
        case .core(let version):
            imported = CoreContextTable.table(for: version).definitionObject
        case .remote(let url):
            guard case .object(let context)? = try await document(at: url, chain: chain, load: load)["@context"] else {
                throw .invalidContext("@import \(url) must name a document whose @context is a single object")
            }
            if context["@import"] != nil {
                throw .invalidContext("the context imported from \(url) must not itself have @import")
            }
            imported = context
        }
        for (key, value) in object where key != "@import" { imported[key] = value }
        return imported
    }

    private enum Location {
        case core(NGSILDCoreContext)
        case remote(String)
    }

    private func locate(_ reference: String, base: String?) throws(NGSIError) -> Location {
        if let version = NGSILDCoreContext(url: reference) { return .core(version) }
        guard let url = IRI.resolve(reference, against: base) else {
            throw .invalidContext("\"\(reference)\" is not an absolute URL of a JSON-LD context")
        }
        if let version = NGSILDCoreContext(url: url) { return .core(version) }
        return .remote(url)
    }

    /// The document at `url`, loaded at most once, after the cycle and limit checks.
    nonisolated(nonsending) private mutating func document(
        at url: String,
        chain: [String],
        load: (String) async throws(NGSIError) -> JSON
    ) async throws(NGSIError) -> JSON {
        if chain.contains(url) {
            throw .invalidContext("recursive @context inclusion: \((chain + [url]).joined(separator: " -> "))")
        }
        guard chain.count < limits.maxRemoteDepth else {
            throw .invalidContext("remote @context documents are nested more than \(limits.maxRemoteDepth) levels deep")
        }
        if let cached = documents[url] { return cached }
        guard documents.count < limits.maxRemoteContexts else {
            throw .invalidContext("the @context references more than \(limits.maxRemoteContexts) remote documents")
        }
        let document = try await load(url)
        documents[url] = document
        return document
    }
}
