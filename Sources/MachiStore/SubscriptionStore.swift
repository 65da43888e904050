public import Foundation
public import MachiCore

/// A subscription as stored: its stored-form document (see `Subscription+StoredForm`) and the delivery status the
/// notifier maintains.
public struct SubscriptionRecord: Sendable {
    public var id: String
    public var document: JSON
    public var status: SubscriptionStatus

    public init(id: String, document: JSON, status: SubscriptionStatus = SubscriptionStatus()) {
        self.id = id
        self.document = document
        self.status = status
    }
}

/// A notification made due by a committed change: written in the change's own transaction, so it survives a
/// crash, and deleted once delivered (or given up).
public struct OutboxEntry: Sendable, Hashable {
    /// Store-assigned, increasing in commit order.
    public var sequence: Int64
    public var subscriptionId: String
    /// `entityCreated`, `attributeUpdated`, …: what made it due.
    public var reason: String
    /// The data to render: see `NotificationPayload`.
    public var payload: JSON
    /// Failed attempts so far.
    public var attempts: Int
    /// Not to be sent before.
    public var dueAt: Date

    public init(
        sequence: Int64 = 0,
        subscriptionId: String,
        reason: String,
        payload: JSON,
        attempts: Int = 0,
        dueAt: Date
    ) {
        self.sequence = sequence
        self.subscriptionId = subscriptionId
        self.reason = reason
        self.payload = payload
        self.attempts = attempts
        self.dueAt = dueAt
    }
}

/// What happened to one outbox entry's delivery.
public enum DeliveryOutcome: Sendable {
    /// Delivered (or dropped for good): remove the entry.
    case done
    /// Try again at this time.
    case retry(at: Date)
}

/// Decides, inside a write transaction, which notifications a change makes due. Must be fast and must not block:
/// it runs on the store's single writer.
public protocol ChangeObserver: Sendable {
    /// The outbox entries for one committed change of one entity, in step order (`sequence` is assigned by the
    /// store). A change has one step or several (a device's measures in one batch): `states` holds the entity before
    /// the first step and after each, so step `i` goes from `states[i]` to `states[i + 1]`. The states are the
    /// transaction's own: read them in place rather than copying them.
    func outboxEntries(forStates states: [Entity?], tenant: String, at time: Date) -> [OutboxEntry]
    /// Called after a transaction that wrote outbox entries for `tenant` has committed.
    func didCommitOutboxEntries(tenant: String)
    /// Called after every write transaction of `tenant` has committed (after `didCommitOutboxEntries`): what was
    /// observed in it is now durable.
    func transactionDidCommit(tenant: String)
    /// Called when a write transaction of `tenant` failed as a whole: nothing observed in it happened.
    func transactionDidFail(tenant: String)
}

extension ChangeObserver {
    public func transactionDidCommit(tenant: String) {}
    public func transactionDidFail(tenant: String) {}
}

/// Several observers as one: the entries of all, in order; every call forwarded to each.
public struct ChangeObservers: ChangeObserver {
    public var observers: [any ChangeObserver]

    public init(_ observers: [any ChangeObserver]) { self.observers = observers }

    /// Each observer's entries for all the steps, observer after observer (each one's entries stay in step order).
    public func outboxEntries(forStates states: [Entity?], tenant: String, at time: Date) -> [OutboxEntry] {
        observers.flatMap { $0.outboxEntries(forStates: states, tenant: tenant, at: time) }
    }

    public func didCommitOutboxEntries(tenant: String) {
        for observer in observers { observer.didCommitOutboxEntries(tenant: tenant) }
    }

    public func transactionDidCommit(tenant: String) {
        for observer in observers { observer.transactionDidCommit(tenant: tenant) }
    }

    public func transactionDidFail(tenant: String) {
        for observer in observers { observer.transactionDidFail(tenant: tenant) }
    }
}

/// Where subscriptions and their outbox live, per tenant, isolated like entities.
public protocol SubscriptionStore: Sendable {
    /// Stores a new subscription; creates the tenant. Writes (here and below) append their audit record,
    /// attributed to `origin`, in their transaction.
    /// - Throws: `NGSIError` `alreadyExists` if the id is taken in this tenant.
    func createSubscription(_ record: SubscriptionRecord, tenant: String, origin: AuditContext) async throws
    func subscription(id: String, tenant: String) async throws -> SubscriptionRecord?
    /// One page in creation order, and the total count.
    func subscriptions(
        tenant: String,
        limit: Int,
        offset: Int
    ) async throws -> (records: [SubscriptionRecord], total: Int)
    /// Replaces the document (the status is kept). `false` if there is no such subscription.
    func updateSubscription(id: String, document: JSON, tenant: String, origin: AuditContext) async throws -> Bool
    /// Deletes the subscription and its pending notifications. `false` if there is none.
    func deleteSubscription(id: String, tenant: String, origin: AuditContext) async throws -> Bool
    /// The tenants that hold at least one subscription (read at start-up).
    func tenantsWithSubscriptions() async throws -> [String]
    /// Every subscription of the tenant.
    func allSubscriptions(tenant: String) async throws -> [SubscriptionRecord]

    /// Writes outbox entries outside an entity change (periodic notifications).
    func enqueue(_ entries: [OutboxEntry], tenant: String) async throws
    /// Entries due by `time`, oldest first, skipping `excluded` sequences (in flight) and every entry of the
    /// `skipped` subscriptions (whose endpoint is busy: their entries must not crowd out other endpoints').
    func dueOutboxEntries(
        tenant: String,
        by time: Date,
        excluding excluded: Set<Int64>,
        skipping skipped: Set<String>,
        limit: Int
    ) async throws -> [OutboxEntry]
    /// The earliest `dueAt` of the tenant's entries, if any.
    func nextOutboxDue(tenant: String) async throws -> Date?
    /// Records delivery outcomes and the subscriptions' new status, in one transaction.
    func recordDeliveries(
        _ outcomes: [(sequence: Int64, outcome: DeliveryOutcome)],
        status: [String: SubscriptionStatus],
        tenant: String
    ) async throws
}

extension SubscriptionStore {
    /// `createSubscription` attributed to no caller: for tests and tools.
    public func createSubscription(_ record: SubscriptionRecord, tenant: String) async throws {
        try await createSubscription(record, tenant: tenant, origin: .unattributed)
    }

    /// `updateSubscription` attributed to no caller: for tests and tools.
    public func updateSubscription(id: String, document: JSON, tenant: String) async throws -> Bool {
        try await updateSubscription(id: id, document: document, tenant: tenant, origin: .unattributed)
    }

    /// `deleteSubscription` attributed to no caller: for tests and tools.
    public func deleteSubscription(id: String, tenant: String) async throws -> Bool {
        try await deleteSubscription(id: id, tenant: tenant, origin: .unattributed)
    }
}
