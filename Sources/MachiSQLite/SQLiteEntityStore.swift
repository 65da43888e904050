import Foundation
import GRDB
public import Logging
public import MachiCore
public import MachiStore
import Synchronization

/// The embedded `EntityStore`: SQLite through GRDB, one database file per tenant.
///
/// ```swift
/// let store = try SQLiteEntityStore(
///     configuration: SQLiteStoreConfiguration(storage: .directory(URL(filePath: "/var/lib/machi")))
/// )
/// let results = try await store.apply([create], tenant: StoreTenant.defaultName)
/// ```
///
/// - **Tenants** are isolated in storage: each has its own file (see `TenantFileName`), opened lazily in WAL mode
///   with a reader pool, so reads never wait for writes. The default tenant (the empty string) always exists;
///   another tenant exists once its file does, which happens at its first successful write.
/// - **Writes** (`apply`) are group-committed: calls that arrive while a transaction runs are merged into the
///   next one, and each call returns only after the transaction holding its changes has committed. Each change
///   runs in its own savepoint, so a rejected change leaves no trace.
/// - **Queries** are pre-filtered in SQL (ids, types, attributes, `q` values, geo bounding boxes in an R*Tree)
///   and every candidate is confirmed with `EntityQuery.matches(_:)`, the reference semantics.
///
/// Logs go to `logger`, or to `Logger.current` when none is given; nothing is logged above `info`.
/// Metrics: `machi_store_write_duration_seconds` (timer) and `machi_store_transactions_total` (counter,
/// dimension `outcome` = `committed` | `failed`).
public final class SQLiteEntityStore: EntityStore {
    let configuration: SQLiteStoreConfiguration
    private let explicitLogger: Logger?
    let tenants: TenantDirectory
    private let metrics = StoreMetrics()
    private let observer = ObserverSlot()

    /// Creates a store; for directory storage, creates the directory if it is missing.
    /// - Parameters:
    ///   - configuration: Where and how data is kept.
    ///   - logger: Where to log; `Logger.current` of each call when `nil`.
    /// - Throws: `StoreError` with code `invalidConfiguration` if the data directory cannot be used.
    public convenience init(configuration: SQLiteStoreConfiguration, logger: Logger? = nil) throws {
        try self.init(configuration: configuration, logger: logger, faults: SQLiteStoreFaults())
    }

    /// Creates a store with fault injection, for tests.
    package init(configuration: SQLiteStoreConfiguration, logger: Logger? = nil, faults: SQLiteStoreFaults) throws {
        self.configuration = configuration
        self.explicitLogger = logger
        if case .directory(let directory) = configuration.storage.base {
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw StoreError(.invalidConfiguration, "cannot create the data directory", underlying: error)
            }
        }
        let metrics = self.metrics
        let observer = self.observer
        tenants = TenantDirectory(configuration: configuration) { tenant throws(StoreError) in
            try TenantDatabase.open(tenant: tenant, configuration: configuration) { writer, cache, checkpointer, rows in
                TenantDatabase.Committer(
                    maxWeight: configuration.maxChangesPerTransaction,
                    window: configuration.groupCommitWindow,
                    weight: { $0.changes.count },
                    perform: { batch in
                        try await WriteTransaction.perform(
                            batch,
                            tenant: tenant,
                            writer: writer,
                            cache: cache,
                            checkpointer: checkpointer,
                            rows: rows,
                            observer: observer.current.map { ($0, tenant) },
                            recordsTemporalEvolution: configuration.recordsTemporalEvolution,
                            recordsAudit: configuration.recordsAudit,
                            faults: faults,
                            metrics: metrics
                        )
                    }
                )
            }
        }
        self.logger.debug(
            "sqlite store ready",
            metadata: [
                "store.storage": "\(configuration.storage)", "store.synchronous": "\(configuration.synchronous)",
            ]
        )
    }

    var logger: Logger { explicitLogger ?? Logger.current }

    /// Sets the observer that turns committed changes into outbox entries (subscription matching), in the same
    /// transaction. Set it once, before the first write that should notify.
    public func observeChanges(with observer: any ChangeObserver) {
        self.observer.current = observer
    }

    /// A logger that drops everything, for tests that must not print.
    package static var silentLogger: Logger { Logger(label: "machi.store.silent") { _ in SwiftLogNoOpLogHandler() } }

    /// The number of write transactions committed so far (all tenants): lets tests see group commit at work.
    package var committedTransactions: Int { metrics.committed.load(ordering: .relaxed) }

    /// `true` for the default tenant; for another, whether its database is open or its file exists.
    public func tenantExists(_ tenant: String) async throws -> Bool {
        if tenant == StoreTenant.defaultName { return true }
        return try tenants.exists(tenant)
    }

    /// Runs the changes in one group-committed transaction, each in its own savepoint, and returns after COMMIT.
    ///
    /// A tenant that has no database yet is created only if at least one change would succeed on an empty
    /// tenant (the closures run once more for real). Cancelling the calling task does not withdraw changes that
    /// are queued or running: the call still waits for their commit.
    /// Each committed change appends its audit record, attributed to `origin`, in the same transaction.
    /// - Throws: `StoreError` if the transaction failed (then none of the changes was applied).
    public func apply(
        _ changes: [EntityChange],
        tenant: String,
        origin: AuditContext
    ) async throws -> [Result<EntityChangeResult, NGSIError>] {
        guard !changes.isEmpty else { return [] }
        let isDefault = tenant == StoreTenant.defaultName
        var database = try await tenants.database(for: tenant, create: isDefault)
        if database == nil {
            // A new tenant is created only by a write that succeeds.
            let dryRun = WriteTransaction.dryRun(changes)
            guard dryRun.contains(where: { (try? $0.get()) != nil }) else { return dryRun }
            database = try await tenants.database(for: tenant, create: true)
            logger.info("tenant created", metadata: ["store.tenant": "\(tenant)"])
        }
        guard let database else { throw StoreError(.internalError, "the tenant database is missing") }
        do {
            return try await database.committer.submit(WriteRequest(changes: changes, origin: origin))
        } catch {
            let storeError = StoreError(mapping: error, "the write transaction failed")
            logger.debug(
                "write transaction failed",
                metadata: ["store.tenant": "\(tenant)", "store.error": "\(String(reflecting: storeError))"]
            )
            throw storeError
        }
    }

    /// The stored entity: from the tenant's `EntityCache`, or read on the reader pool.
    public func entity(id: String, tenant: String) async throws -> Entity? {
        guard let database = try await tenants.database(for: tenant, create: tenant == StoreTenant.defaultName) else {
            return nil
        }
        let token: UInt64?
        switch database.cache.lookup(id) {
        case .hit(let entity): return entity
        case .miss(let missToken): token = missToken
        }
        var entity: Entity?
        defer { if let token { database.cache.fill(id, token: token, with: entity) } }
        entity = try await read(database) { db in
            let statement = try db.cachedStatement(sql: "SELECT doc FROM entity WHERE id = ?")
            guard let doc = try String.fetchOne(statement, arguments: [id]) else { return nil }
            return try StoredEntityCodec.decode(doc)
        }
        return entity
    }

    /// Closes every tenant database. Later calls throw `StoreError` with code `closed`.
    public func close() throws {
        try tenants.close()
    }

    /// Runs a read on the tenant's reader pool, mapping failures to `StoreError`.
    func read<T: Sendable>(
        _ database: TenantDatabase,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            return try await database.writer.read(body)
        } catch let error as CancellationError {
            throw error
        } catch let error as StoredEntityCodec.Failure {
            throw StoreError(.corrupt, "a stored entity cannot be read", underlying: error)
        } catch {
            throw StoreError(mapping: error, "the read failed")
        }
    }
}

/// The change observer, settable after the store is built (the observer usually needs the store to load).
final class ObserverSlot: Sendable {
    private let value = Mutex<(any ChangeObserver)?>(nil)

    var current: (any ChangeObserver)? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

extension SQLiteStoreConfiguration.Storage: CustomStringConvertible {
    /// The directory path, or `memory`.
    public var description: String {
        switch base {
        case .directory(let url): url.path
        case .inMemory: "memory"
        }
    }
}
