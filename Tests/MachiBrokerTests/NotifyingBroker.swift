import Logging
import MachiBroker
import MachiSQLite
import Synchronization

/// A notifier woken by the store's commits and the subscription service that feeds it, as `machi serve` wires
/// them: what the broker tests of notifications share.
struct NotifyingBroker {
    let notifier: Notifier
    let subscriptions: SubscriptionService

    init(store: SQLiteEntityStore, transport: any NotificationTransport, consents: ConsentService) {
        let wake = Mutex<Notifier?>(nil)
        let registry = SubscriptionRegistry(onCommit: { tenant in wake.withLock { $0 }?.wake(tenant: tenant) })
        let notifier = Notifier(
            store: store,
            entities: store,
            registry: registry,
            transports: ["http": transport],
            consents: consents,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        wake.withLock { $0 = notifier }
        store.observeChanges(with: registry)
        self.notifier = notifier
        subscriptions = SubscriptionService(
            store: store,
            registry: registry,
            contexts: ContextResolver(loader: OfflineContextLoader(), hostedStore: store),
            notifier: notifier
        )
    }
}
