import Foundation
public import MachiCore
import Synchronization

/// Seeded @contexts: local copies of remote @context documents, for a broker that cannot (or must not) reach the
/// internet. Loaded once at start-up (see `ContextSeed` in MachiApp), they are listed as `Cached` and stand in for
/// fetching their URLs from then on.
extension ContextResolver {
    /// Uses `documents` (URL → a JSON object with an `@context` member, already validated) instead of fetching those
    /// URLs, and lists them as cached from now on.
    public func seed(_ documents: [String: JSON]) {
        let now = Date()
        state.withLock { state in
            for (url, document) in documents.sorted(by: { $0.key < $1.key }) {
                state.seeds[url] = document
                state.cached[url] = StoredContext(
                    id: UUID().uuidString.lowercased(),
                    url: url,
                    kind: .cached,
                    document: document,
                    createdAt: now,
                    lastUsage: nil,
                    hits: 0,
                    tenant: nil
                )
            }
            state.processed.removeAll()
        }
    }

    /// The URLs that have a seeded document.
    public var seededURLs: [String] {
        state.withLock { $0.seeds.keys.sorted() }
    }
}
