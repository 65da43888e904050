public import Foundation
public import Logging
public import MachiCore
public import MachiStore
public import OrderedCollections

/// The Subscription use cases (5.8): create, retrieve, query, update, delete, and loading every tenant's
/// subscriptions into the registry at start-up.
public struct SubscriptionService: Sendable {
    let store: any SubscriptionStore
    let registry: SubscriptionRegistry
    let contexts: ContextResolver
    let notifier: Notifier?
    let now: @Sendable () -> Date

    public init(
        store: any SubscriptionStore,
        registry: SubscriptionRegistry,
        contexts: ContextResolver,
        notifier: Notifier?,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.registry = registry
        self.contexts = contexts
        self.notifier = notifier
        self.now = now
    }

    /// A decoder for a request's payload.
    public func decoder(expand: @escaping (String) -> String) -> SubscriptionDecoder {
        SubscriptionDecoder(expand: expand, now: now())
    }

    public func timestamp() -> String { DateTimeText.format(now()) }

    /// Stores and activates a decoded subscription.
    /// - Throws: `AlreadyExists` (409); `LdContextNotAvailable` (504) if its notification @context cannot be had.
    public func create(_ subscription: Subscription, in context: BrokerContext) async throws(NGSIError) {
        let notificationContext = try await self.notificationContext(of: subscription, tenant: context.tenant)
        try await storeCall {
            try await store.createSubscription(
                SubscriptionRecord(id: subscription.id, document: subscription.storedForm),
                tenant: context.storeTenant,
                origin: context.audit
            )
        }
        registry.insert(.init(subscription: subscription, context: notificationContext), tenant: context.storeTenant)
    }

    /// The subscription and its status. Throws `ResourceNotFound` (404).
    public func subscription(
        id: String,
        in context: BrokerContext
    ) async throws(NGSIError) -> (Subscription, SubscriptionStatus) {
        guard let record = try await storeCall({ try await store.subscription(id: id, tenant: context.storeTenant) })
        else { throw .notFound("Subscription \(id) not found") }
        return (try Subscription(storedForm: record.document), status(record, tenant: context.storeTenant))
    }

    /// One page of the tenant's subscriptions, and their total.
    public func subscriptions(
        limit: Int,
        offset: Int,
        in context: BrokerContext
    ) async throws(NGSIError) -> (subscriptions: [(Subscription, SubscriptionStatus)], total: Int) {
        let page = try await storeCall {
            try await store.subscriptions(tenant: context.storeTenant, limit: limit, offset: offset)
        }
        var result: [(Subscription, SubscriptionStatus)] = []
        for record in page.records {
            result.append((try Subscription(storedForm: record.document), status(record, tenant: context.storeTenant)))
        }
        return (result, page.total)
    }

    /// Applies `fragment` to the subscription (5.8.2): each member replaces the stored one whole (a
    /// `notification` must be complete, endpoint included), `null` removes a member. Names in the fragment expand with the request's
    /// context, the others as before.
    public func update(
        id: String,
        fragment: JSONObject,
        expand: @escaping (String) -> String,
        in context: BrokerContext
    ) async throws(NGSIError) {
        let (current, _) = try await subscription(id: id, in: context)
        var document = current.document
        for (member, value) in fragment where member != "@context" {
            if member == "id" || member == "type" {
                guard value == document[member] else {
                    throw .badRequestData("The fragment's \(member) must be the subscription's own")
                }
                continue
            }
            document[member] = value
        }
        for (member, value) in document where value == .null { document[member] = nil }
        let fragmentNames = Self.strings(in: .object(fragment))
        let terms = current.terms
        let decoder = SubscriptionDecoder(
            expand: { name in fragmentNames.contains(name) ? expand(name) : (terms[name] ?? expand(name)) },
            now: now()
        )
        var updated = try decoder.decode(
            document,
            generatedId: id,
            context: current.context,
            createdAt: current.createdAt
        )
        updated.modifiedAt = timestamp()
        let notificationContext = try await self.notificationContext(of: updated, tenant: context.tenant)
        let stored = try await storeCall {
            try await store.updateSubscription(
                id: id,
                document: updated.storedForm,
                tenant: context.storeTenant,
                origin: context.audit
            )
        }
        guard stored else { throw .notFound("Subscription \(id) not found") }
        registry.insert(.init(subscription: updated, context: notificationContext), tenant: context.storeTenant)
    }

    /// Deletes the subscription and its pending notifications. Throws `ResourceNotFound` (404).
    public func delete(id: String, in context: BrokerContext) async throws(NGSIError) {
        let deleted = try await storeCall {
            try await store.deleteSubscription(id: id, tenant: context.storeTenant, origin: context.audit)
        }
        guard deleted else { throw .notFound("Subscription \(id) not found") }
        registry.remove(id: id, tenant: context.storeTenant)
        notifier?.forget(subscription: id, tenant: context.storeTenant)
    }

    /// Loads every stored subscription into the registry. A subscription whose @context cannot be resolved now is
    /// registered with the names it recorded (compaction falls back to the core context) and logged.
    public func loadAll(logger: Logger) async throws {
        for tenant in try await store.tenantsWithSubscriptions() {
            for record in try await store.allSubscriptions(tenant: tenant) {
                let subscription: Subscription
                do {
                    subscription = try Subscription(storedForm: record.document)
                } catch {
                    logger.error("a stored subscription cannot be read", metadata: ["subscription": "\(record.id)"])
                    continue
                }
                let resolved: JSONLDContext
                do {
                    resolved = try await notificationContext(of: subscription, tenant: tenant.isEmpty ? nil : tenant)
                } catch {
                    logger.warning(
                        "the @context of a subscription cannot be resolved; notifications use the core context",
                        metadata: ["subscription": "\(record.id)", "error": "\(error.detail)"]
                    )
                    resolved = .core
                }
                registry.insert(.init(subscription: subscription, context: resolved), tenant: tenant)
            }
        }
    }

    /// The context notifications are compacted with: `jsonldContext` if given, else the creating request's.
    func notificationContext(of subscription: Subscription, tenant: String?) async throws(NGSIError) -> JSONLDContext {
        if let link = subscription.document["jsonldContext"] {
            return try await contexts.context(for: link, tenant: tenant)
        }
        return try await contexts.context(for: subscription.context, tenant: tenant)
    }

    private func status(_ record: SubscriptionRecord, tenant: String) -> SubscriptionStatus {
        notifier?.cachedStatus(of: record.id, tenant: tenant) ?? record.status
    }

    private static func strings(in value: JSON) -> Set<String> {
        switch value {
        case .string(let text): [text]
        case .array(let items): items.reduce(into: Set<String>()) { $0.formUnion(strings(in: $1)) }
        case .object(let object): object.values.reduce(into: Set<String>()) { $0.formUnion(strings(in: $1)) }
        default: []
        }
    }
}
