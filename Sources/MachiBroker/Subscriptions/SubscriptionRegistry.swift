public import Foundation
public import MachiCore
public import MachiStore
import Synchronization

/// The live subscriptions of every tenant, indexed by entity type, and the `ChangeObserver` that turns committed
/// changes into outbox entries.
///
/// A change is matched against the subscriptions indexed under one of the entity's types plus those that watch
/// any type, never against every subscription. The registry is a snapshot behind a mutex: matching runs on the
/// store's writer and takes the lock once per change.
public final class SubscriptionRegistry: ChangeObserver {
    /// A subscription with the @context its notifications are compacted with.
    public struct Entry: Sendable {
        public var subscription: Subscription
        public var context: JSONLDContext
    }

    private struct TenantSubscriptions {
        var entries: [String: Entry] = [:]
        var byType: [String: Set<String>] = [:]
        var anyType: Set<String> = []
        /// Subscriptions with a `timeInterval`.
        var periodic: Set<String> = []
        /// Endpoint URI → the subscriptions notifying it.
        var byEndpoint: [String: Set<String>] = [:]
        /// `candidates(for:)` per list of entity types, until the subscriptions change: a device's entity is
        /// matched thousands of times a second with the same types.
        var candidatesByTypes: [[String]: [Entry]] = [:]

        mutating func insert(_ entry: Entry) {
            remove(entry.subscription.id)
            candidatesByTypes = [:]
            let id = entry.subscription.id
            entries[id] = entry
            if entry.subscription.timeInterval != nil { periodic.insert(id) }
            byEndpoint[entry.subscription.notification.endpoint.uri, default: []].insert(id)
            if let types = entry.subscription.indexTypes {
                for type in types { byType[type, default: []].insert(id) }
            } else {
                anyType.insert(id)
            }
        }

        mutating func remove(_ id: String) {
            guard let old = entries.removeValue(forKey: id) else { return }
            candidatesByTypes = [:]
            periodic.remove(id)
            let uri = old.subscription.notification.endpoint.uri
            byEndpoint[uri]?.remove(id)
            if byEndpoint[uri]?.isEmpty == true { byEndpoint[uri] = nil }
            if let types = old.subscription.indexTypes {
                for type in types {
                    byType[type]?.remove(id)
                    if byType[type]?.isEmpty == true { byType[type] = nil }
                }
            } else {
                anyType.remove(id)
            }
        }

        mutating func candidates(for types: [String]) -> [Entry] {
            if let known = candidatesByTypes[types] { return known }
            var ids = anyType
            for type in types { if let set = byType[type] { ids.formUnion(set) } }
            let found = ids.compactMap { entries[$0] }
            if candidatesByTypes.count >= 1024 { candidatesByTypes = [:] }
            candidatesByTypes[types] = found
            return found
        }
    }

    private let tenants = Mutex<[String: TenantSubscriptions]>([:])
    private let onCommit: @Sendable (String) -> Void

    /// - Parameter onCommit: Called after outbox entries of a tenant were committed (wakes the notifier).
    public init(onCommit: @escaping @Sendable (String) -> Void = { _ in }) {
        self.onCommit = onCommit
    }

    public func insert(_ entry: Entry, tenant: String) {
        tenants.withLock { $0[tenant, default: TenantSubscriptions()].insert(entry) }
    }

    public func remove(id: String, tenant: String) {
        tenants.withLock { $0[tenant]?.remove(id) }
    }

    public func entry(id: String, tenant: String) -> Entry? {
        tenants.withLock { $0[tenant]?.entries[id] }
    }

    /// The tenants that have subscriptions (cheap: the notifier asks every round).
    public func tenantNames() -> [String] {
        tenants.withLock { tenants in tenants.filter { !$0.value.entries.isEmpty }.map(\.key) }
    }

    /// The tenant's periodic subscriptions (`timeInterval`).
    public func periodicEntries(tenant: String) -> [Entry] {
        tenants.withLock { tenants in
            guard let subscriptions = tenants[tenant] else { return [] }
            return subscriptions.periodic.compactMap { subscriptions.entries[$0] }
        }
    }

    /// The ids of the tenant's subscriptions that notify one of `endpoints` (URIs).
    public func subscriptionIds(notifying endpoints: Set<String>, tenant: String) -> Set<String> {
        guard !endpoints.isEmpty else { return [] }
        return tenants.withLock { tenants in
            guard let subscriptions = tenants[tenant] else { return [] }
            return endpoints.reduce(into: Set<String>()) { ids, uri in
                ids.formUnion(subscriptions.byEndpoint[uri] ?? [])
            }
        }
    }

    /// The entries of every step; the candidates are looked up once for all steps of the same types. The states are
    /// read in place: a step that no subscription matches copies no entity.
    public func outboxEntries(forStates states: [Entity?], tenant: String, at time: Date) -> [OutboxEntry] {
        var entries: [OutboxEntry] = []
        var known: (types: [String], candidates: [Entry])?
        for index in states.indices.dropLast() {
            let types = states[index + 1]?.types ?? states[index]?.types ?? []
            let candidates: [Entry]
            if let known, known.types == types {
                candidates = known.candidates
            } else {
                candidates = tenants.withLock { $0[tenant]?.candidates(for: types) ?? [] }
                known = (types, candidates)
            }
            for candidate in candidates {
                guard
                    var cause = candidate.subscription.cause(before: states[index], after: states[index + 1], at: time)
                else { continue }
                if !candidate.subscription.notification.showChanges && cause.deletedInstances.isEmpty {
                    cause.previous = nil  // not needed to render: keep the outbox small
                }
                entries.append(
                    OutboxEntry(
                        subscriptionId: candidate.subscription.id,
                        reason: cause.reason.rawValue,
                        payload: cause.payload,
                        dueAt: time
                    )
                )
            }
        }
        return entries
    }

    public func didCommitOutboxEntries(tenant: String) { onCommit(tenant) }
}
