public import Foundation
public import MachiCore
public import MachiStore
import OrderedCollections
import Synchronization

/// Turns the @context of a request into an active `JSONLDContext`, and keeps the @contexts that `/jsonldContexts`
/// lists (ETSI GS CIM 009, 5.13):
///
/// - **Hosted** contexts, added by clients, belong to the tenant that added them (no other tenant can see, use or
///   delete them) and are kept in a `HostedContextStore`, so they survive a restart.
/// - **Cached** contexts are remote documents fetched while processing requests (bounded, with a time limit), shared
///   by every tenant; the built-in core @contexts are listed as cached too.
/// - **ImplicitlyCreated** contexts are made for a subscription whose @context is not a single URL: the broker hosts
///   that @context (for the subscription's tenant, persisted like hosted ones) and the subscription's `jsonldContext`
///   names it. They go with their subscription, or when deleted through the API.
/// - **Seeded** documents (``seed(_:)``), loaded from local files at start-up, stand in for fetching their URLs: they
///   are listed as cached, and a deleted, expired or reloaded one is "fetched" from its seed again, never from the
///   network. This is how an air-gapped city uses @contexts published on the internet.
/// - Processed contexts are cached per tenant (bounded).
public final class ContextResolver: Sendable {
    /// Cache limits and the location of hosted contexts.
    public struct Configuration: Sendable {
        /// Remote documents kept at most.
        public var maxDocuments: Int
        /// How long a fetched document is used before it is fetched again.
        public var documentLifetime: Duration
        /// Processed contexts kept at most.
        public var maxProcessedContexts: Int
        /// The public URL of `/ngsi-ld/v1/jsonldContexts`: a hosted context's URL is this URL, `/`, its id.
        public var hostedBaseURL: String

        public init(
            maxDocuments: Int = 512,
            documentLifetime: Duration = .seconds(3600),
            maxProcessedContexts: Int = 1024,
            hostedBaseURL: String = "http://localhost:1026/ngsi-ld/v1/jsonldContexts"
        ) {
            self.maxDocuments = maxDocuments
            self.documentLifetime = documentLifetime
            self.maxProcessedContexts = maxProcessedContexts
            self.hostedBaseURL = hostedBaseURL
        }
    }

    /// A context document the broker knows: hosted (added through the API) or cached (fetched, or built in).
    public struct StoredContext: Sendable {
        public enum Kind: String, Sendable, CaseIterable {
            case hosted = "Hosted"
            case cached = "Cached"
            case implicitlyCreated = "ImplicitlyCreated"
        }
        public var id: String
        public var url: String
        public var kind: Kind
        public var document: JSON
        public var createdAt: Date
        public var lastUsage: Date?
        public var hits: Int
        /// The owning tenant of a hosted context (`""` for the default tenant); `nil` for cached ones.
        public var tenant: String?
    }

    /// The tenant whose hosted contexts `context(for:)` may use; the HTTP edge sets it for each request.
    @TaskLocal public static var requestTenant: String? = nil

    struct HostedKey: Hashable {
        var tenant: String
        var id: String
    }

    struct Processed {
        var context: JSONLDContext
        /// The remote documents it was made of, whose use it counts.
        var urls: [String]
        var createdAt: Date
    }

    struct State {
        var cached: [String: StoredContext] = [:]
        /// URL → the document that stands in for fetching it.
        var seeds: [String: JSON] = [:]
        var hosted: [HostedKey: StoredContext] = [:]
        var processed: [String: Processed] = [:]
    }

    let configuration: Configuration
    let loader: any ContextDocumentLoader
    let hostedStore: (any HostedContextStore)?
    let state = Mutex(State())
    /// The built-in core contexts, listed as cached since this resolver was made.
    let coreContexts: [StoredContext]

    /// - Parameters:
    ///   - loader: fetches remote documents.
    ///   - hostedStore: where hosted contexts are persisted; `nil` keeps them in memory only.
    public init(
        loader: any ContextDocumentLoader,
        hostedStore: (any HostedContextStore)? = nil,
        configuration: Configuration = Configuration()
    ) {
        self.loader = loader
        self.hostedStore = hostedStore
        self.configuration = configuration
        let startedAt = Date()
        coreContexts = NGSILDCoreContext.allCases.map { version in
            StoredContext(
                id: "ngsi-ld-core-context-v\(version.rawValue)",
                url: version.url,
                kind: .cached,
                document: (try? JSONParser.parse(version.text)) ?? .object([:]),
                createdAt: startedAt,
                lastUsage: nil,
                hits: 0,
                tenant: nil
            )
        }
    }

    /// Loads the persisted hosted contexts; call once before serving requests.
    public func loadHostedContexts() async throws {
        guard let hostedStore else { return }
        let records = try await hostedStore.hostedContexts()
        state.withLock { state in
            for record in records {
                state.hosted[HostedKey(tenant: record.tenant, id: record.id)] = hostedContext(record)
            }
        }
    }

    // MARK: - Resolution

    /// The active context for a request's @context value (`nil`: the core context alone), in the tenant of
    /// ``requestTenant``.
    public func context(for value: JSON?) async throws(NGSIError) -> JSONLDContext {
        try await context(for: value, tenant: Self.requestTenant)
    }

    /// The active context for a request's @context value in `tenant` (whose hosted contexts it may use).
    public func context(for value: JSON?, tenant: String?) async throws(NGSIError) -> JSONLDContext {
        guard let value, !value.isNull else { return .core }
        let tenant = tenant ?? StoreTenant.defaultName
        let key = tenant + "\u{1F}" + JSONWriter.string(of: value)
        let now = Date()
        let lifetime = configuration.documentLifetime.timeInterval
        let reused = state.withLock { state -> Processed? in
            guard let processed = state.processed[key], now.timeIntervalSince(processed.createdAt) <= lifetime else {
                return nil
            }
            self.countUse(of: processed.urls, tenant: tenant, in: &state, at: now)
            return processed
        }
        if let reused { return reused.context }
        var urls: [String] = []
        let context = try await JSONLDContext.resolve(value) { (url) async throws(NGSIError) -> JSON in
            urls.append(url)
            return try await self.document(at: url, tenant: tenant)
        }
        state.withLock {
            if $0.processed.count >= configuration.maxProcessedContexts {
                $0.processed.removeAll(keepingCapacity: true)
            }
            $0.processed[key] = Processed(context: context, urls: urls, createdAt: now)
        }
        return context
    }

    /// The document at `url` for a request in `tenant`: one of its hosted ones, a fresh cached one, or fetched now.
    func document(at url: String, tenant: String) async throws(NGSIError) -> JSON {
        let now = Date()
        let lifetime = configuration.documentLifetime.timeInterval
        if let id = hostedId(in: url) {
            let hosted = state.withLock { state -> JSON? in
                let key = HostedKey(tenant: tenant, id: id)
                guard var stored = state.hosted[key] else { return nil }
                if stored.kind == .implicitlyCreated {
                    stored.hits += 1
                    stored.lastUsage = now
                    state.hosted[key] = stored
                }
                return stored.document
            }
            if let hosted { return hosted }
            if url.hasPrefix(configuration.hostedBaseURL + "/") {
                throw NGSIError(.ldContextNotAvailable, "No @context \(id) is hosted here (for this tenant)")
            }
        }
        let cached = state.withLock { state -> JSON? in
            guard let stored = state.cached[url], now.timeIntervalSince(stored.createdAt) <= lifetime else {
                return nil
            }
            self.countUse(of: [url], tenant: tenant, in: &state, at: now)
            return stored.document
        }
        if let cached { return cached }
        let document = try await fetch(url)
        state.withLock { state in
            var stored =
                state.cached[url]
                ?? StoredContext(
                    id: UUID().uuidString.lowercased(),
                    url: url,
                    kind: .cached,
                    document: document,
                    createdAt: now,
                    lastUsage: nil,
                    hits: 0,
                    tenant: nil
                )
            if state.cached[url] == nil, state.cached.count >= configuration.maxDocuments,
                let oldest = state.cached.values.min(by: { $0.createdAt < $1.createdAt })
            {
                state.cached[oldest.url] = nil
            }
            stored.document = document
            stored.createdAt = now
            stored.hits += 1
            stored.lastUsage = now
            state.cached[url] = stored
        }
        return document
    }

    /// Fetches a remote @context document (its seed, if it has one) and checks that it is one.
    func fetch(_ url: String) async throws(NGSIError) -> JSON {
        if let seeded = state.withLock({ $0.seeds[url] }) { return seeded }
        let document = try await loader.load(url: url)
        guard case .object(let object) = document, object["@context"] != nil else {
            throw .badRequestData("The document at \(url) is not a JSON-LD @context (it has no @context member)")
        }
        return document
    }

    /// Counts a use of the cached documents among `urls`, and of `tenant`'s implicitly created ones.
    func countUse(of urls: [String], tenant: String, in state: inout State, at now: Date) {
        for url in urls {
            if var stored = state.cached[url] {
                stored.hits += 1
                stored.lastUsage = now
                state.cached[url] = stored
            } else if let id = hostedId(in: url), var stored = state.hosted[HostedKey(tenant: tenant, id: id)],
                stored.kind == .implicitlyCreated
            {
                stored.hits += 1
                stored.lastUsage = now
                state.hosted[HostedKey(tenant: tenant, id: id)] = stored
            }
        }
    }

    /// The id of a hosted context that `url` may name: what follows `/jsonldContexts/` (on any host, since clients
    /// may reach this broker under several names).
    func hostedId(in url: String) -> String? {
        guard let range = url.range(of: "/ngsi-ld/v1/jsonldContexts/", options: .backwards) else { return nil }
        let raw = url[range.upperBound...]
        guard let id = String(raw).removingPercentEncoding, !id.isEmpty, !id.contains("/") else { return nil }
        return id
    }

    // MARK: - Hosted contexts

    /// Hosts a context document for `tenant` (`POST /jsonldContexts`) and returns it with its id.
    /// - Throws: `InvalidRequest` when the document is no object with an `@context` member, `BadRequestData` when
    ///   its `@context` is not a valid JSON-LD context, or a store error.
    public func host(
        _ document: JSON,
        tenant: String?,
        origin: AuditContext = .unattributed
    ) async throws -> StoredContext {
        guard case .object(let object) = document, let context = object["@context"] else {
            throw NGSIError.invalidRequest("A hosted @context must be a JSON object with an @context member")
        }
        try await Self.validate(context)
        let record = HostedContextRecord(
            id: "urn:ngsi-ld:context:" + UUID().uuidString.lowercased(),
            tenant: tenant ?? StoreTenant.defaultName,
            document: document,
            createdAt: Date()
        )
        try await hostedStore?.saveHostedContext(record, origin: origin)
        let stored = hostedContext(record)
        state.withLock { $0.hosted[HostedKey(tenant: record.tenant, id: record.id)] = stored }
        return stored
    }

    /// Checks an `@context` value as JSON-LD: a URL, a context object or `null`, or an array of them, whose inline
    /// definitions are valid. Remote contexts it names are not fetched.
    /// - Throws: `BadRequestData` saying what is wrong.
    public static func validate(_ context: JSON) async throws(NGSIError) {
        func isEntry(_ value: JSON) -> Bool {
            switch value {
            case .string, .object, .null: true
            default: false
            }
        }
        switch context {
        case .string, .object: break
        case .array(let items) where items.allSatisfy(isEntry): break
        default:
            throw .badRequestData("The @context member must be a URL, a context object, or an array of them")
        }
        _ = try await JSONLDContext.resolve(context) { (_) async throws(NGSIError) -> JSON in
            .object(["@context": .object([:])])
        }
    }

    func hostedContext(_ record: HostedContextRecord) -> StoredContext {
        StoredContext(
            id: record.id,
            url: "\(configuration.hostedBaseURL)/\(record.id)",
            kind: record.kind == .implicitlyCreated ? .implicitlyCreated : .hosted,
            document: record.document,
            createdAt: record.createdAt,
            lastUsage: nil,
            hits: 0,
            tenant: record.tenant
        )
    }

    // MARK: - Listing, serving, deleting

    /// The contexts `tenant` sees: the built-in core contexts, the cached ones, and its hosted ones, oldest first.
    public func storedContexts(tenant: String?) -> [StoredContext] {
        let tenant = tenant ?? StoreTenant.defaultName
        let (cached, hosted) = state.withLock { state in
            (Array(state.cached.values), state.hosted.values.filter { $0.tenant == tenant })
        }
        return coreContexts + (cached + hosted).sorted { $0.createdAt < $1.createdAt }
    }

    /// The stored context with this id or URL that `tenant` sees.
    public func storedContext(_ idOrURL: String, tenant: String?) -> StoredContext? {
        let tenant = tenant ?? StoreTenant.defaultName
        if let core = coreContext(idOrURL) { return core }
        return state.withLock { state in
            if let hosted = state.hosted[HostedKey(tenant: tenant, id: idOrURL)] { return hosted }
            if let id = hostedId(in: idOrURL), let hosted = state.hosted[HostedKey(tenant: tenant, id: id)] {
                return hosted
            }
            return state.cached[idOrURL] ?? state.cached.values.first { $0.id == idOrURL }
        }
    }

    /// Serves a stored context (`GET /jsonldContexts/{id}`): returns it as it was before this request, and counts
    /// the request as a use of a cached or implicitly created one.
    public func serve(_ idOrURL: String, tenant: String?) -> StoredContext? {
        guard let stored = storedContext(idOrURL, tenant: tenant) else { return nil }
        if stored.kind != .hosted {
            state.withLock {
                countUse(of: [stored.url], tenant: tenant ?? StoreTenant.defaultName, in: &$0, at: Date())
            }
        }
        return stored
    }

    /// Deletes a context `tenant` sees; with `reload`, fetches a cached one again instead, keeping the old copy if
    /// that fails. The built-in core contexts cannot be deleted; reloading them keeps the built-in copy.
    public func delete(
        _ idOrURL: String,
        tenant: String?,
        reload: Bool,
        origin: AuditContext = .unattributed
    ) async throws {
        if coreContext(idOrURL) != nil {
            guard reload else { throw NGSIError.badRequestData("The core @context cannot be deleted") }
            return
        }
        let stored = storedContext(idOrURL, tenant: tenant)
        if reload {
            guard let stored, stored.kind == .cached else {
                throw NGSIError.badRequestData("Only a cached @context can be reloaded; \(idOrURL) is not one")
            }
            let document = try await fetch(stored.url)
            state.withLock { state in
                guard var current = state.cached[stored.url] else { return }
                current.document = document
                current.createdAt = Date()
                state.cached[stored.url] = current
                state.processed.removeAll()
            }
            return
        }
        guard let stored else { throw NGSIError.notFound("No @context \(idOrURL) is stored") }
        switch stored.kind {
        case .hosted, .implicitlyCreated:
            let key = HostedKey(tenant: stored.tenant ?? StoreTenant.defaultName, id: stored.id)
            try await hostedStore?.deleteHostedContext(id: key.id, tenant: key.tenant, origin: origin)
            state.withLock {
                $0.hosted[key] = nil
                $0.processed.removeAll()
            }
        case .cached:
            state.withLock {
                $0.cached[stored.url] = nil
                $0.processed.removeAll()
            }
        }
    }

    /// The built-in core context with this id or URL (the unversioned URL names the default version).
    func coreContext(_ idOrURL: String) -> StoredContext? {
        let url = NGSILDCoreContext(url: idOrURL)?.url
        return coreContexts.first { $0.id == idOrURL || $0.url == url }
    }
}

extension Duration {
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
