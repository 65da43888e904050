import MachiCore
import Synchronization

/// The consents given to each application, per tenant, kept in memory so that an application's reads do not query
/// the store for them every time. Every consent is written through `ConsentService`, which drops the application's
/// entry after each write; a load that raced with a write is not kept (`generation`), so the next read after a
/// revocation always sees it.
final class GranteeConsentCache: Sendable {
    struct Key: Hashable, Sendable {
        var tenant: String
        var grantee: String
    }

    private struct State {
        var entries: [Key: [Consent]] = [:]
        /// Bumped by every invalidation: a load that started before one must not be kept.
        var generation = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// The cached consents of `key`, or `nil` and the generation to pass to `keep` after loading them.
    func cached(_ key: Key) -> (consents: [Consent]?, generation: Int) {
        state.withLock { ($0.entries[key], $0.generation) }
    }

    /// Keeps consents loaded from the store, unless a write invalidated the cache since `generation`.
    func keep(_ consents: [Consent], for key: Key, loadedAt generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = consents
        }
    }

    /// Forgets an application's consents in a tenant (after a consent of theirs was written).
    func invalidate(_ key: Key) {
        state.withLock { state in
            state.generation &+= 1
            state.entries[key] = nil
        }
    }
}
