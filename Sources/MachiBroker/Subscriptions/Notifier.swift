public import Foundation
public import Logging
public import MachiCore
public import MachiStore
import OrderedCollections
import Synchronization

/// Delivers the outbox: every notification a committed change made due, at least once, to HTTP or MQTT endpoints.
///
/// - Entries are read from the store's outbox (durable: written with the change), grouped by endpoint, and each
///   endpoint's group is sent by its own child task, in order. A slow or dead endpoint holds up only itself:
///   the loop goes on dispatching other endpoints' entries while it waits (its entries are "in flight").
/// - A failure is retried with exponential backoff (1 s, 2 s, … capped at `maxBackoff`) until `maxAttempts`,
///   then dropped and logged; the subscription's status records every attempt (`timesSent`, `timesFailed`,
///   `lastSuccess`, `lastFailure`, `status`).
/// - `throttling` delays (never drops) a notification until the period since the last one has passed; a paused or
///   expired subscription's pending notifications are dropped.
/// - Periodic subscriptions (`timeInterval`) are sent the matching entities every interval.
///
/// `run()` works until its task is cancelled; the app runs it as a service.
public final class Notifier: Sendable {
    public struct Configuration: Sendable {
        public var maxAttempts = 8
        public var maxBackoff: Duration = .seconds(300)
        /// Used when an endpoint gives no `timeout`.
        public var defaultTimeout: Duration = .seconds(10)
        /// How often due times (retries, throttling, periodic subscriptions) are checked without a wake-up.
        public var tick: Duration = .milliseconds(200)
        /// Entries read per tenant and round.
        public var batchSize = 2048
        /// Most entities in one notification.
        public var maxEntitiesPerNotification = 100

        public init() {}
    }

    private struct State {
        var inFlight: [String: Set<Int64>] = [:]
        var busyEndpoints: Set<String> = []
        var statuses: [String: [String: SubscriptionStatus]] = [:]
        var nextPeriodic: [String: Date] = [:]
        var tenantsWithWork: Set<String> = []
        /// Outcomes of finished deliveries not yet written to the store, by tenant (their entries stay in flight).
        var unrecorded: [String: Unrecorded] = [:]
    }

    /// Delivery outcomes and subscription statuses waiting for the recorder.
    private struct Unrecorded {
        var outcomes: [(sequence: Int64, outcome: DeliveryOutcome)] = []
        var statuses: [String: SubscriptionStatus] = [:]
    }

    /// Filters what deliveries carry by the consents of each subscription's reader; `nil` delivers everything.
    private let consents: ConsentService?
    /// Checks each subscription's reader against the identity directory as it is now; `nil` trusts the reader
    /// stored with the subscription.
    private let readers: (any SubscriptionReaders)?
    private let store: any SubscriptionStore
    private let entities: any EntityStore
    private let registry: SubscriptionRegistry
    private let transports: [String: any NotificationTransport]
    private let configuration: Configuration
    private let logger: Logger
    private let now: @Sendable () -> Date
    /// The @contexts hosted here: a `jsonldContext` that names one deleted since is not sent.
    private let contexts: ContextResolver?
    private let state = Mutex(State())
    private let signal = WakeSignal()
    private let recorderSignal = WakeSignal()

    /// - Parameters:
    ///   - transports: By URI scheme (`http`, `https`, `mqtt`, …).
    ///   - contexts: The @contexts hosted here; a subscription whose `jsonldContext` names one of them that was
    ///     deleted since is notified with its own @context instead.
    public init(
        store: any SubscriptionStore,
        entities: any EntityStore,
        registry: SubscriptionRegistry,
        transports: [String: any NotificationTransport],
        contexts: ContextResolver? = nil,
        configuration: Configuration = Configuration(),
        consents: ConsentService? = nil,
        readers: (any SubscriptionReaders)? = nil,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.contexts = contexts
        self.consents = consents
        self.readers = readers
        self.store = store
        self.entities = entities
        self.registry = registry
        self.transports = transports
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Asks for a round soon: `tenant` has new entries.
    public func wake(tenant: String) {
        _ = state.withLock { $0.tenantsWithWork.insert(tenant) }
        signal.wake()
    }

    /// Delivers until cancelled. Starts by looking at every tenant with subscriptions (entries left by a crash).
    public func run() async {
        let known = (try? await store.tenantsWithSubscriptions()) ?? []
        state.withLock { $0.tenantsWithWork.formUnion(known) }
        await withDiscardingTaskGroup { group in
            group.addTask { [signal, configuration] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: configuration.tick)
                    signal.wake()
                }
            }
            group.addTask { [self] in
                for await _ in recorderSignal.events {
                    if Task.isCancelled { break }
                    await recordDeliveries()
                }
            }
            signal.wake()
            for await _ in signal.events {
                if Task.isCancelled { break }
                await round(&group)
            }
            group.cancelAll()
        }
        // What was delivered but not yet recorded would only be sent again after a restart: record it now, in a task
        // of its own because this one is cancelled (the store refuses work for cancelled tasks); awaited here.
        await Task.detached { [self] in await recordDeliveries() }.value
    }

    /// Writes the outcomes of finished deliveries, every tenant's in one store call, then lets their entries be
    /// read again (retries) or forgets them (deleted). Deliveries do not wait for it: an endpoint is free for its
    /// next notification as soon as the previous one was answered, and the write of many deliveries is shared.
    private func recordDeliveries() async {
        let pending = state.withLock { state in
            defer { state.unrecorded = [:] }
            return state.unrecorded
        }
        for (tenant, records) in pending {
            do {
                try await store.recordDeliveries(records.outcomes, status: records.statuses, tenant: tenant)
            } catch {
                logger.error("cannot record deliveries", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
            }
            state.withLock { $0.inFlight[tenant]?.subtract(records.outcomes.map(\.sequence)) }
            wake(tenant: tenant)
        }
    }

    private func round(_ group: inout DiscardingTaskGroup) async {
        let time = now()
        var tenants = state.withLock { state -> Set<String> in
            let tenants = state.tenantsWithWork
            state.tenantsWithWork = []
            return tenants
        }
        // Periodic subscriptions and retries are found by the tick: every tenant that has subscriptions is looked
        // at. The registry answers from its indexes: a round copies no subscription it does not need.
        tenants.formUnion(registry.tenantNames())
        for tenant in tenants {
            await dispatchPeriodic(registry.periodicEntries(tenant: tenant), tenant: tenant, at: time, &group)
            let prefix = tenant + "\u{0}"
            let (excluded, busy) = state.withLock { state in
                (
                    state.inFlight[tenant] ?? [],
                    Set(state.busyEndpoints.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) })
                )
            }
            // The subscriptions of endpoints that are still busy: their entries wait in the store, so that a slow
            // endpoint's backlog never fills the batch other endpoints' entries need.
            let skipped = registry.subscriptionIds(notifying: busy, tenant: tenant)
            let entries: [OutboxEntry]
            do {
                entries = try await store.dueOutboxEntries(
                    tenant: tenant,
                    by: time,
                    excluding: excluded,
                    skipping: skipped,
                    limit: configuration.batchSize
                )
            } catch is CancellationError {
                return
            } catch {
                logger.error("cannot read the outbox", metadata: ["tenant": "\(tenant)", "error": "\(error)"])
                continue
            }
            var byEndpoint: [String: [OutboxEntry]] = [:]
            var orphans: [(sequence: Int64, outcome: DeliveryOutcome)] = []
            for entry in entries {
                guard let subscription = registry.entry(id: entry.subscriptionId, tenant: tenant)?.subscription else {
                    orphans.append((entry.sequence, .done))
                    continue
                }
                byEndpoint[subscription.notification.endpoint.uri, default: []].append(entry)
            }
            if !orphans.isEmpty { try? await store.recordDeliveries(orphans, status: [:], tenant: tenant) }
            for (endpoint, batch) in byEndpoint {
                let key = tenant + "\u{0}" + endpoint
                let claimed = state.withLock { state -> Bool in
                    guard !state.busyEndpoints.contains(key) else { return false }
                    state.busyEndpoints.insert(key)
                    state.inFlight[tenant, default: []].formUnion(batch.map(\.sequence))
                    return true
                }
                guard claimed else { continue }
                group.addTask { [self] in
                    let (outcomes, statuses) = await deliver(batch, tenant: tenant)
                    state.withLock { state in
                        state.busyEndpoints.remove(key)
                        state.unrecorded[tenant, default: Unrecorded()].outcomes += outcomes
                        state.unrecorded[tenant, default: Unrecorded()].statuses.merge(statuses) { _, newer in newer }
                    }
                    recorderSignal.wake()
                    wake(tenant: tenant)
                }
            }
        }
    }

    // MARK: - Delivery

    /// Sends the entries' notifications.
    /// - Returns: each entry's outcome and the changed subscription statuses, for the recorder.
    private func deliver(
        _ entries: [OutboxEntry],
        tenant: String
    ) async -> ([(sequence: Int64, outcome: DeliveryOutcome)], [String: SubscriptionStatus]) {
        var outcomes: [(sequence: Int64, outcome: DeliveryOutcome)] = []
        var changedStatus: [String: SubscriptionStatus] = [:]
        // The entries of one subscription go out together, in order (subscriptions sharing an endpoint take turns
        // by their first entry); a stable sort keeps each subscription's order.
        var firstIndex: [String: Int] = [:]
        for (index, entry) in entries.enumerated() where firstIndex[entry.subscriptionId] == nil {
            firstIndex[entry.subscriptionId] = index
        }
        let entries = entries.enumerated().sorted { lhs, rhs in
            let left = firstIndex[lhs.element.subscriptionId] ?? 0
            let right = firstIndex[rhs.element.subscriptionId] ?? 0
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
        var index = 0
        while index < entries.count {
            let subscriptionId = entries[index].subscriptionId
            var end = index + 1
            while end < entries.count && entries[end].subscriptionId == subscriptionId
                && end - index < configuration.maxEntitiesPerNotification
            {
                end += 1
            }
            let group = Array(entries[index..<end])
            index = end
            guard let registered = registry.entry(id: subscriptionId, tenant: tenant) else {
                outcomes += group.map { ($0.sequence, .done) }
                continue
            }
            let subscription = registered.subscription
            let time = now()
            guard subscription.isLive(at: time) else {
                outcomes += group.map { ($0.sequence, .done) }
                continue
            }
            var status = await status(of: subscriptionId, tenant: tenant)
            if let waitUntil = holdBack(subscription, status: status, at: time) {
                // Throttled or cooling down: keep the entries for later, unchanged.
                outcomes += group.map { ($0.sequence, .retry(at: waitUntil)) }
                continue
            }
            let renderer = NotificationRenderer(subscription: subscription, context: registered.context)
            let guarding: PersonalDataGuard
            let reader: BrokerContext?
            switch await reading(for: subscription, tenant: tenant) {
            case .guarded(let found, let context):
                guarding = found
                reader = context
            case .later:
                outcomes += group.map { ($0.sequence, .retry(at: time.addingTimeInterval(1))) }
                continue
            case .nothing:  // the reader is gone, or may no longer read the tenant
                outcomes += group.map { ($0.sequence, .done) }
                continue
            }
            var data: [JSONObject] = []
            var served: [Entity] = []
            var reason: String?
            var hidden = 0
            for entry in group {
                guard var cause = try? NotificationCause(payload: entry.payload) else { continue }
                guard let visible = guarding.visible(cause.entity) else {  // no consent: not notified
                    hidden += 1
                    continue
                }
                cause.entity = visible
                let linked = await linkedEntities(of: cause.entity, for: subscription, tenant: tenant)
                    .compactMapValues(guarding.visible)
                served += [visible] + linked.values
                data += renderer.entities(for: cause, at: time, linked: linked)
                reason = reason ?? entry.reason
            }
            if hidden == group.count {  // everything was personal data the subscriber may not read
                outcomes += group.map { ($0.sequence, .done) }
                continue
            }
            // A notification is a read: its personal data is recorded (`personal.read`) before it leaves.
            guard await recordReads(of: served, as: reader) else {
                outcomes += group.map { ($0.sequence, .retry(at: time.addingTimeInterval(1))) }
                continue
            }
            let body = renderer.notification(
                id: "urn:ngsi-ld:Notification:\(UUID().uuidString.lowercased())",
                data: data,
                reason: reason,
                at: time
            )
            let failure = await send(
                body,
                subscription: subscription,
                context: registered.subscription.context,
                tenant: tenant
            )
            status.timesSent += 1
            status.lastNotification = DateTimeText.format(time)
            if let failure {
                status.timesFailed += 1
                status.lastFailure = status.lastNotification
                status.lastFailed = true
                let attempts = (group.map(\.attempts).max() ?? 0) + 1
                if attempts >= configuration.maxAttempts {
                    logger.warning(
                        "notification dropped after \(attempts) attempts",
                        metadata: ["subscription": "\(subscriptionId)", "error": "\(failure)"]
                    )
                    outcomes += group.map { ($0.sequence, .done) }
                } else {
                    let retry = time.addingTimeInterval(backoff(attempts: attempts, subscription: subscription))
                    outcomes += group.map { ($0.sequence, .retry(at: retry)) }
                }
            } else {
                status.lastSuccess = status.lastNotification
                status.lastFailed = false
                outcomes += group.map { ($0.sequence, .done) }
            }
            changedStatus[subscriptionId] = status
            let updated = status
            state.withLock { $0.statuses[tenant, default: [:]][subscriptionId] = updated }
        }
        return (outcomes, changedStatus)
    }

    /// Records the reads of personal data a delivery makes, as its reader; `false` when they could not be recorded
    /// (then nothing is sent).
    private func recordReads(of served: [Entity], as reader: BrokerContext?) async -> Bool {
        guard let reader, let consents else { return true }
        do {
            try await consents.recordReads(of: served, in: reader)
            return true
        } catch {
            logger.warning("personal-data reads not recorded; delivery postponed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// How a delivery may read.
    private enum Reading {
        /// Through this guard, as this reader (whose reads of personal data are recorded; `nil`: not recorded).
        case guarded(PersonalDataGuard, as: BrokerContext?)
        /// Not yet: the consents or the identity directory cannot be read.
        case later
        /// Not at all: the reader is gone (deleted, disabled, removed) or may no longer read the tenant.
        case nothing
    }

    /// How deliveries of `subscription` read: as its reader is now in the identity directory (roles as they are,
    /// nothing for a reader who is gone), with the consents as they stand now (a revocation stops the very next
    /// delivery).
    private func reading(for subscription: Subscription, tenant: String) async -> Reading {
        guard let reader = subscription.reader else { return .guarded(.unrestricted, as: nil) }
        var principal = reader.principal
        if let readers {
            do {
                guard let current = try await readers.current(principal, tenant: tenant) else { return .nothing }
                principal = current
            } catch {
                logger.warning("identity directory unreadable; delivery postponed", metadata: ["error": "\(error)"])
                return .later
            }
        }
        guard let consents else { return .guarded(.unrestricted, as: nil) }
        let context = BrokerContext(
            tenant: tenant.isEmpty ? nil : tenant,
            requestId: "notifier",
            principal: principal,
            purpose: reader.purpose
        )
        do {
            return .guarded(try await consents.guardFor(context), as: context)
        } catch {
            logger.warning("consents unreadable; delivery postponed", metadata: ["error": "\(error)"])
            return .later
        }
    }

    /// The entities `entity` links to, when the subscription asks for `join`.
    private func linkedEntities(
        of entity: Entity,
        for subscription: Subscription,
        tenant: String
    ) async -> [String: Entity] {
        guard subscription.notification.join != nil else { return [:] }
        return
            (try? await EntityEncoder.collectLinked(from: [entity], levels: subscription.notification.joinLevel) {
                ids in
                try await entities.query(EntityQuery(ids: ids, limit: ids.count), tenant: tenant).entities
            }) ?? [:]
    }

    /// Sends one Notification; `nil` on success, else why it failed.
    private func send(
        _ body: JSONObject,
        subscription: Subscription,
        context: JSON,
        tenant: String
    ) async -> DeliveryError? {
        let endpoint = subscription.notification.endpoint
        let scheme = endpoint.uri.prefix(while: { $0 != ":" }).lowercased()
        guard let transport = transports[scheme] else { return DeliveryError("no transport for \(scheme):") }
        var context = context
        if let link = subscription.document["jsonldContext"],
            contexts?.isGone(link, tenant: tenant.isEmpty ? nil : tenant) != true
        {
            context = link
        }
        let notification = OutgoingNotification(
            endpoint: endpoint,
            tenant: tenant.isEmpty ? nil : tenant,
            body: body,
            context: context,
            subscriptionId: subscription.id
        )
        let timeout = endpoint.timeout.map { Duration.milliseconds(Int64($0)) } ?? configuration.defaultTimeout
        return await withTaskGroup(of: DeliveryError?.self) { group in
            group.addTask {
                do throws(DeliveryError) {
                    try await transport.send(notification)
                    return nil
                } catch {
                    return error
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return DeliveryError("no answer within \(timeout)")
            }
            let first = await group.next() ?? DeliveryError("cancelled")
            group.cancelAll()
            return first
        }
    }

    /// When the subscription may be notified again, if not now: `throttling` since the last notification, or the
    /// endpoint's `cooldown` after a failure.
    private func holdBack(_ subscription: Subscription, status: SubscriptionStatus, at time: Date) -> Date? {
        guard let last = status.lastNotification.flatMap(DateTimeText.parse) else { return nil }
        var until: Date?
        if let throttling = subscription.throttling, throttling > 0 {
            until = last.addingTimeInterval(throttling)
        }
        if status.lastFailed, let cooldown = subscription.notification.endpoint.cooldown {
            let end = last.addingTimeInterval(cooldown / 1000)
            until = max(until ?? end, end)
        }
        guard let until, until > time else { return nil }
        return until
    }

    private func backoff(attempts: Int, subscription: Subscription) -> TimeInterval {
        let seconds = min(pow(2, Double(attempts - 1)), Double(configuration.maxBackoff.components.seconds))
        let cooldown = (subscription.notification.endpoint.cooldown ?? 0) / 1000
        return max(seconds, cooldown)
    }

    private func status(of id: String, tenant: String) async -> SubscriptionStatus {
        if let known = state.withLock({ $0.statuses[tenant]?[id] }) { return known }
        let stored = (try? await store.subscription(id: id, tenant: tenant))?.status ?? SubscriptionStatus()
        state.withLock { $0.statuses[tenant, default: [:]][id] = stored }
        return stored
    }

    /// Forgets the cached status of a subscription (after it was deleted or replaced).
    public func forget(subscription id: String, tenant: String) {
        state.withLock { state in
            state.statuses[tenant]?[id] = nil
            state.nextPeriodic[tenant + "\u{0}" + id] = nil
        }
    }

    /// The cached status, if the notifier has one (fresher than the store's while deliveries are recorded).
    public func cachedStatus(of id: String, tenant: String) -> SubscriptionStatus? {
        state.withLock { $0.statuses[tenant]?[id] }
    }

    // MARK: - Periodic subscriptions

    private func dispatchPeriodic(
        _ subscriptions: [SubscriptionRegistry.Entry],
        tenant: String,
        at time: Date,
        _ group: inout DiscardingTaskGroup
    ) async {
        for entry in subscriptions {
            let subscription = entry.subscription
            guard let interval = subscription.timeInterval, subscription.isLive(at: time) else { continue }
            let key = tenant + "\u{0}" + subscription.id
            let due = state.withLock { state -> Bool in
                let next = state.nextPeriodic[key] ?? time
                guard next <= time else { return false }
                state.nextPeriodic[key] = time.addingTimeInterval(interval)
                return true
            }
            guard due else { continue }
            group.addTask { [self] in await sendPeriodic(entry, tenant: tenant, at: time) }
        }
    }

    private func sendPeriodic(_ entry: SubscriptionRegistry.Entry, tenant: String, at time: Date) async {
        let subscription = entry.subscription
        var query = EntityQuery(q: subscription.q, scopeQ: subscription.scopeQ, geo: subscription.geoQ, limit: 1000)
        query.selectors = subscription.selectors
        guard case .guarded(let guarding, let reader) = await reading(for: subscription, tenant: tenant),
            let page = try? await entities.query(guarding.restrict(query), tenant: tenant)
        else { return }
        let visible = page.entities.compactMap(guarding.visible)
        guard !visible.isEmpty, await recordReads(of: visible, as: reader) else { return }
        let renderer = NotificationRenderer(subscription: subscription, context: entry.context)
        let body = renderer.notification(
            id: "urn:ngsi-ld:Notification:\(UUID().uuidString.lowercased())",
            data: renderer.entities(visible),
            reason: nil,
            at: time
        )
        let failure = await send(body, subscription: subscription, context: subscription.context, tenant: tenant)
        var status = await status(of: subscription.id, tenant: tenant)
        status.timesSent += 1
        status.lastNotification = DateTimeText.format(time)
        if failure != nil {
            status.timesFailed += 1
            status.lastFailure = status.lastNotification
            status.lastFailed = true
        } else {
            status.lastSuccess = status.lastNotification
            status.lastFailed = false
        }
        let updated = status
        state.withLock { $0.statuses[tenant, default: [:]][subscription.id] = updated }
        try? await store.recordDeliveries([], status: [subscription.id: updated], tenant: tenant)
    }
}
