public import Foundation
public import MachiCore
import OrderedCollections
import Synchronization

/// Turns the @context of a request into an active `JSONLDContext`, with two caches: fetched remote documents
/// (bounded, with a time limit) and processed contexts (bounded). Also holds the contexts the
/// `/jsonldContexts` API hosts.
public final class ContextResolver: Sendable {
    /// Cache limits.
    public struct Configuration: Sendable {
        /// Remote documents kept at most.
        public var maxDocuments: Int
        /// How long a fetched document is used before it is fetched again.
        public var documentLifetime: Duration
        /// Processed contexts kept at most.
        public var maxProcessedContexts: Int

        public init(
            maxDocuments: Int = 512,
            documentLifetime: Duration = .seconds(3600),
            maxProcessedContexts: Int = 1024
        ) {
            self.maxDocuments = maxDocuments
            self.documentLifetime = documentLifetime
            self.maxProcessedContexts = maxProcessedContexts
        }
    }

    /// A context document the broker knows: hosted (added through the API) or cached (fetched).
    public struct StoredContext: Sendable {
        public enum Kind: String, Sendable {
            case hosted = "Hosted"
            case cached = "Cached"
        }
        public var id: String
        public var url: String
        public var kind: Kind
        public var document: JSON
        public var createdAt: Date
        public var lastUsage: Date?
        public var hits: Int
    }

    struct State {
        var documents: [String: StoredContext] = [:]
        var processed: [String: JSONLDContext] = [:]
    }

    let configuration: Configuration
    let loader: any ContextDocumentLoader
    let state = Mutex(State())

    public init(loader: any ContextDocumentLoader, configuration: Configuration = Configuration()) {
        self.loader = loader
        self.configuration = configuration
    }

    /// The active context for a request's @context value (`nil`: the core context alone).
    public func context(for value: JSON?) async throws(NGSIError) -> JSONLDContext {
        guard let value, !value.isNull else { return .core }
        let key = JSONWriter.string(of: value)
        if let cached = state.withLock({ $0.processed[key] }) { return cached }
        let context = try await JSONLDContext.resolve(value) { (url) async throws(NGSIError) -> JSON in
            try await self.document(at: url)
        }
        state.withLock {
            if $0.processed.count >= configuration.maxProcessedContexts {
                $0.processed.removeAll(keepingCapacity: true)
            }
            $0.processed[key] = context
        }
        return context
    }

    /// The document at `url`: a hosted one, a fresh cached one, or fetched now.
    func document(at url: String) async throws(NGSIError) -> JSON {
        let now = Date()
        let lifetime = configuration.documentLifetime
        let cached: JSON? = state.withLock { state in
            guard
                var stored = state.documents[url]
                    ?? state.documents.values.first(where: {
                        url.hasSuffix("/jsonldContexts/\($0.id)") && $0.kind == .hosted
                    })
            else { return nil }
            if stored.kind == .cached, now.timeIntervalSince(stored.createdAt) > lifetime.timeInterval { return nil }
            stored.hits += 1
            stored.lastUsage = now
            state.documents[stored.url] = stored
            return stored.document
        }
        if let cached { return cached }
        let document = try await loader.load(url: url)
        guard document["@context"] != nil else {
            throw NGSIError(
                .ldContextNotAvailable,
                "The document at \(url) is not a JSON-LD context (no @context member)"
            )
        }
        state.withLock {
            if $0.documents.count >= configuration.maxDocuments,
                let oldest = $0.documents.values.filter({ $0.kind == .cached }).min(by: { $0.createdAt < $1.createdAt })
            {
                $0.documents[oldest.url] = nil
            }
            $0.documents[url] = StoredContext(
                id: UUID().uuidString.lowercased(),
                url: url,
                kind: .cached,
                document: document,
                createdAt: now,
                lastUsage: now,
                hits: 1
            )
        }
        return document
    }

    /// Hosts a context document (`POST /jsonldContexts`) and returns it with its id; its URL is `baseURL/{id}`.
    public func host(_ document: JSON, baseURL: String) throws(NGSIError) -> StoredContext {
        guard case .object(let object) = document, let context = object["@context"] else {
            throw .badRequestData("A hosted @context must be a JSON object with an @context member")
        }
        switch context {
        case .object, .array, .string: break
        default: throw .badRequestData("The @context member must be an object, an array or a URL")
        }
        let id = "urn:ngsi-ld:context:" + UUID().uuidString.lowercased()
        let stored = StoredContext(
            id: id,
            url: "\(baseURL)/\(id)",
            kind: .hosted,
            document: document,
            createdAt: Date(),
            lastUsage: nil,
            hits: 0
        )
        state.withLock { $0.documents[stored.url] = stored }
        return stored
    }

    /// Every hosted and cached context.
    public func storedContexts() -> [StoredContext] {
        state.withLock { Array($0.documents.values) }.sorted { $0.createdAt < $1.createdAt }
    }

    /// The stored context with this id (or URL).
    public func storedContext(_ idOrURL: String) -> StoredContext? {
        state.withLock { state in state.documents[idOrURL] ?? state.documents.values.first { $0.id == idOrURL } }
    }

    /// Deletes a stored context; `reload` fetches a cached one again instead.
    public func delete(_ idOrURL: String, reload: Bool) async throws(NGSIError) {
        guard let stored = storedContext(idOrURL) else { throw .notFound("No @context \(idOrURL) is stored") }
        if reload {
            guard stored.kind == .cached else { throw .badRequestData("Only a cached @context can be reloaded") }
            state.withLock { _ = $0.documents.removeValue(forKey: stored.url) }
            _ = try await document(at: stored.url)
        } else {
            state.withLock {
                $0.documents[stored.url] = nil
                $0.processed.removeAll()
            }
        }
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
