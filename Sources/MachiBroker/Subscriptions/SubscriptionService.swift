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

    /// Stores and activates a decoded subscription. When it has no `jsonldContext` and its @context is not a single
    /// URL, the broker hosts that @context as an `ImplicitlyCreated` one and sets `jsonldContext` to its URL (5.13.1).
    /// - Returns: the subscription as stored.
    /// Its deliveries read as the creating principal (`Subscription.reader`): personal data only with consent.
    /// - Throws: `AlreadyExists` (409); `LdContextNotAvailable` (504) if its notification @context cannot be had.
    @discardableResult
    public func create(_ subscription: Subscription, in context: BrokerContext) async throws(NGSIError) -> Subscription
    {
        let notificationContext = try await self.notificationContext(of: subscription, tenant: context.tenant)
        var subscription = subscription
        subscription.reader = Self.reader(of: context)
        var implicitURL: String?
        if subscription.document["jsonldContext"] == nil, ContextResolver.needsImplicitContext(subscription.context) {
            let implicit = try await storeCall {
                try await contexts.createImplicitContext(for: subscription.context, tenant: context.tenant)
            }
            implicitURL = implicit.url
            subscription.document["jsonldContext"] = .string(implicit.url)
        }
        do throws(NGSIError) {
            try await storeCall { [subscription] in
                try await store.createSubscription(
                    SubscriptionRecord(id: subscription.id, document: subscription.storedForm),
                    tenant: context.storeTenant,
                    origin: context.audit
                )
            }
        } catch {
            if let implicitURL { try? await contexts.deleteImplicitContext(at: implicitURL, tenant: context.tenant) }
            throw error
        }
        registry.insert(.init(subscription: subscription, context: notificationContext), tenant: context.storeTenant)
        return subscription
    }

    /// The subscription and its status. Throws `ResourceNotFound` (404), also for another principal's subscription.
    public func subscription(
        id: String,
        in context: BrokerContext
    ) async throws(NGSIError) -> (Subscription, SubscriptionStatus) {
        guard let record = try await storeCall({ try await store.subscription(id: id, tenant: context.storeTenant) })
        else { throw .notFound("Subscription \(id) not found") }
        let subscription = try Subscription(storedForm: record.document)
        guard Self.sees(subscription, context) else { throw .notFound("Subscription \(id) not found") }
        return (subscription, status(record, tenant: context.storeTenant))
    }

    /// Whether the caller may see and manage `subscription`: its creator, a tenant admin, open mode and Machi itself
    /// see every one; a subscription made in open mode (no reader) is everyone's.
    static func sees(_ subscription: Subscription, _ context: BrokerContext) -> Bool {
        let principal = context.principal
        guard let reader = subscription.reader, !principal.isOpenMode, principal.kind != .system else { return true }
        return reader.principal.subject == principal.subject
            || principal.roles(in: context.storeTenant).contains(.admin)
    }

    /// Whether the caller sees every subscription of the tenant.
    static func seesAll(_ context: BrokerContext) -> Bool {
        let principal = context.principal
        return principal.isOpenMode || principal.kind == .system
            || principal.roles(in: context.storeTenant).contains(.admin)
    }

    /// One page of the tenant's subscriptions, and their total.
    public func subscriptions(
        limit: Int,
        offset: Int,
        in context: BrokerContext
    ) async throws(NGSIError) -> (subscriptions: [(Subscription, SubscriptionStatus)], total: Int) {
        let seesAll = Self.seesAll(context)
        // Another caller's own subscriptions are picked from all of the tenant's, then paged.
        let page = try await storeCall {
            try await store.subscriptions(
                tenant: context.storeTenant,
                limit: seesAll ? limit : Self.maxPerTenant,
                offset: seesAll ? offset : 0
            )
        }
        var result: [(Subscription, SubscriptionStatus)] = []
        for record in page.records {
            let subscription = try Subscription(storedForm: record.document)
            if seesAll || Self.sees(subscription, context) {
                result.append((subscription, status(record, tenant: context.storeTenant)))
            }
        }
        if seesAll { return (result, page.total) }
        return (Array(result.dropFirst(offset).prefix(limit)), result.count)
    }

    /// The most subscriptions a non-admin caller's listing looks through.
    static let maxPerTenant = 100_000

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
        updated.reader = current.reader  // deliveries keep reading as the creator
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

    /// The reader a subscription created in `context` delivers as; `nil` (everything) for open mode and Machi itself.
    static func reader(of context: BrokerContext) -> SubscriptionReader? {
        let principal = context.principal
        if principal.isOpenMode || principal.kind == .system { return nil }
        return SubscriptionReader(principal: principal, purpose: context.purpose)
    }

    /// Deletes the subscription, its pending notifications and the @context implicitly created for it. Throws
    /// `ResourceNotFound` (404).
    public func delete(id: String, in context: BrokerContext) async throws(NGSIError) {
        _ = try await subscription(id: id, in: context)  // 404 for another principal's
        let record = try await storeCall { try await store.subscription(id: id, tenant: context.storeTenant) }
        let deleted = try await storeCall {
            try await store.deleteSubscription(id: id, tenant: context.storeTenant, origin: context.audit)
        }
        guard deleted else { throw .notFound("Subscription \(id) not found") }
        registry.remove(id: id, tenant: context.storeTenant)
        notifier?.forget(subscription: id, tenant: context.storeTenant)
        if let record, let subscription = try? Subscription(storedForm: record.document),
            case .string(let link) = subscription.document["jsonldContext"]
        {
            try await storeCall { try await contexts.deleteImplicitContext(at: link, tenant: context.tenant) }
        }
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

    /// The context notifications are compacted with: `jsonldContext` if given, else the creating request's (also
    /// when `jsonldContext` names the context implicitly created from it, or one deleted since).
    func notificationContext(of subscription: Subscription, tenant: String?) async throws(NGSIError) -> JSONLDContext {
        if let link = subscription.document["jsonldContext"], !contexts.isImplicitOrGone(link, tenant: tenant) {
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
