import Foundation
public import Hummingbird
public import Logging
import MachiBroker
import MachiCore
import MachiHTTP
import MachiIdentity
import MachiIoT
import MachiSQLite
import MachiStore
import NIOCore
public import Prometheus
import ServiceLifecycle
import Synchronization

/// The composition root: picks the store, wires the broker and the HTTP API into one Hummingbird application.
public enum MachiServer {
    /// The version `machi version` prints.
    public static let version = "0.1.0"

    /// Builds the application for `configuration`.
    /// - Parameters:
    ///   - metrics: the registry `/metrics` exposes (bootstrapped by `main`); `nil` serves an empty page.
    ///   - onServerRunning: called with the bound port once the server listens (tests bind port 0).
    public static func buildApplication(
        configuration: AppConfiguration,
        logger: Logger,
        metrics: PrometheusCollectorRegistry? = nil,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        if let error = configuration.retentionError { throw error }
        if let error = configuration.authModeError { throw error }
        if let error = configuration.personalTypesError { throw error }
        if configuration.authMode == .open {
            logger.warning(
                "authentication is off (--auth open): every caller may do everything",
                metadata: ["auth.mode": "open"]
            )
        }
        let store = try SQLiteEntityStore(configuration: storeConfiguration(configuration), logger: logger)
        let loader: any ContextDocumentLoader =
            configuration.contextFetchEnabled
            ? HTTPContextLoader(
                timeoutSeconds: configuration.contextFetchTimeout,
                maxBytes: configuration.contextFetchMaxBytes,
                allowList: configuration.contextFetchAllowList
            ) : OfflineContextLoader()
        let publicURL = configuration.publicURL ?? "http://localhost:\(configuration.port)"
        let contexts = ContextResolver(
            loader: loader,
            hostedStore: store,
            configuration: .init(hostedBaseURL: "\(publicURL)/ngsi-ld/v1/jsonldContexts")
        )
        if let directory = configuration.contextSeed {
            let seed = try await ContextSeed.load(directory: directory)
            contexts.seed(seed.documents)
            logger.info(
                "seeded @contexts loaded",
                metadata: ["contexts.seed": "\(directory)", "contexts.seeded": "\(seed.documents.count)"]
            )
        }
        try await contexts.loadHostedContexts()
        let sourceAlias = try SourceAlias.load(
            configured: configuration.sourceAlias,
            dataDirectory: configuration.dataDirectory
        )
        let consents = ConsentService(
            store: store,
            audit: configuration.auditEnabled ? store : nil,
            personalTypes: configuration.personalTypes
        )
        // Residents answer an application's consent requests when they sign in to it.
        let identity = try await IdentityServices.open(
            configuration: configuration,
            consent: ConsentRequestStep(consents: consents)
        )
        let notifierBox = NotifierBox()
        let registry = SubscriptionRegistry(onCommit: { tenant in notifierBox.notifier?.wake(tenant: tenant) })
        let mqtt = MQTTNotificationTransport(logger: logger)
        let http = HTTPNotificationTransport()
        let notifier = Notifier(
            store: store,
            entities: store,
            registry: registry,
            transports: ["http": http, "https": http, "mqtt": mqtt],
            contexts: contexts,
            consents: consents,
            readers: IdentitySubscriptionReaders(
                principals: identity.principals,
                policy: AccessPolicy(publicReadTenants: configuration.publicReadTenants)
            ),
            logger: logger
        )
        notifierBox.notifier = notifier
        let subscriptions = SubscriptionService(
            store: store,
            registry: registry,
            contexts: contexts,
            notifier: notifier
        )
        try await subscriptions.loadAll(logger: logger)
        var iotContext = JSONLDContext.core
        if let url = configuration.iotContext {
            iotContext = try await contexts.context(for: .string(url), tenant: nil)
        }
        let agent = IoTAgent(
            store: store,
            entities: EntityService(store: store),
            context: iotContext,
            logger: logger
        )
        try await agent.load()
        store.observeChanges(with: ChangeObservers([registry, agent.changeObserver]))
        let southbound = try configuration.iotMQTTURL.map { url in
            MQTTSouthbound(agent: agent, configuration: try IoTAgentService.mqttConfiguration(url), logger: logger)
        }
        let services = NGSIServices(
            entities: EntityService(store: store, consents: consents),
            contexts: contexts,
            subscriptions: subscriptions,
            temporal: TemporalService(store: store, personalData: (consents, store)),
            limits: configuration.limits
        )
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: NotFoundMiddleware())
        router.get("health") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok","version":"\#(version)"}"#))
            )
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics?.emitToBuffer() ?? []))
            )
        }
        router.add(
            middleware: AuthenticationMiddleware(mode: configuration.authMode, verifier: identity.oauth.verifier)
        )
        router.add(
            middleware: AuthorizationMiddleware(
                policy: AccessPolicy(publicReadTenants: configuration.publicReadTenants)
            )
        )
        OAuthRouter.register(on: router, service: identity.oauth)
        AdminController.register(on: router, directory: identity.directory)
        NGSIRouter.register(on: router, services: services, publicBaseURL: publicURL, sourceAlias: sourceAlias)
        IoTRouter.register(on: router, agent: agent, version: version)
        ConsentRouter.register(on: router, consents: consents, limits: configuration.limits)
        AuditRouter.register(on: router, log: store, identity: identity.audit)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "machi"),
            services: [
                NotifierService(notifier: notifier, mqtt: mqtt), IoTAgentService(agent: agent, southbound: southbound),
                IdentityMaintenanceService(oauth: identity.oauth, interval: .seconds(3600), logger: logger),
                RetentionService(
                    store: store,
                    retention: configuration.temporalRetention,
                    interval: .seconds(3600),
                    logger: logger
                ),
            ],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }

    /// Lets the registry, built before the notifier, wake it.
    private final class NotifierBox: Sendable {
        private let value = Mutex<Notifier?>(nil)
        var notifier: Notifier? {
            get { value.withLock { $0 } }
            set { value.withLock { $0 = newValue } }
        }
    }

    static func storeConfiguration(_ configuration: AppConfiguration) -> SQLiteStoreConfiguration {
        var store = SQLiteStoreConfiguration(
            storage: configuration.dataDirectory.map { .directory(URL(fileURLWithPath: $0, isDirectory: true)) }
                ?? .inMemory,
            synchronous: configuration.synchronousFull ? .full : .normal
        )
        store.recordsAudit = configuration.auditEnabled
        return store
    }
}

/// Runs the notifier beside the HTTP server; on shutdown it stops between rounds and closes MQTT connections.
struct NotifierService: Service {
    let notifier: Notifier
    let mqtt: MQTTNotificationTransport

    func run() async throws {
        await cancelWhenGracefulShutdown { await notifier.run() }
        await mqtt.shutdown()
    }
}
