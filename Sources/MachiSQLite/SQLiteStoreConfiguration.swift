public import Foundation

/// How a `SQLiteEntityStore` keeps its data.
///
/// ```swift
/// let configuration = SQLiteStoreConfiguration(storage: .directory(URL(filePath: "/var/lib/machi")))
/// let store = try SQLiteEntityStore(configuration: configuration)
/// ```
///
/// ## Durability
///
/// `synchronous` is `.full` by default: every commit waits until the write-ahead log is on stable storage, so an
/// acknowledged write survives a power loss or kernel crash, not only a crash of Machi. `.normal` syncs only at
/// WAL checkpoints: commits are faster (no fsync per transaction; group commit already amortizes that fsync over
/// many writes), the database never becomes corrupt, but the last transactions acknowledged before a power loss
/// may be rolled back. Choose `.normal` only where losing the last second of writes on power loss is acceptable.
public struct SQLiteStoreConfiguration: Sendable {
    /// Where the tenant databases live.
    public struct Storage: Sendable, Hashable {
        enum Base: Sendable, Hashable {
            case directory(URL)
            case inMemory
        }

        let base: Base

        /// One SQLite file per tenant in this directory (created if missing), in WAL mode with a reader pool.
        public static func directory(_ url: URL) -> Storage { Storage(base: .directory(url)) }

        /// A private in-memory database per tenant, gone when the store is closed: for tests.
        public static let inMemory = Storage(base: .inMemory)
    }

    /// SQLite's `PRAGMA synchronous` for the write connection.
    public struct Synchronous: Sendable, Hashable, CustomStringConvertible {
        let pragmaValue: String

        /// Sync the WAL at every commit: acknowledged writes survive power loss. The default.
        public static let full = Synchronous(pragmaValue: "FULL")
        /// Sync only at checkpoints: acknowledged writes survive a process crash, not a power loss.
        public static let normal = Synchronous(pragmaValue: "NORMAL")

        /// `full` or `normal`.
        public var description: String { pragmaValue.lowercased() }
    }

    /// Where the data lives.
    public var storage: Storage
    /// Commit durability; see the type's documentation.
    public var synchronous: Synchronous
    /// How long a connection waits for a lock held by another process before failing with `unavailable`.
    public var busyTimeout: Duration
    /// The most concurrent readers per tenant (file storage only). Reads never block writes.
    public var readerPoolSize: Int
    /// How long a write leader waits for more writes to join its transaction before it starts.
    ///
    /// Zero (the default) still batches: writes that arrive while a transaction runs join the next one.
    /// A small window (a millisecond) trades latency for fewer, larger transactions under steady load.
    public var groupCommitWindow: Duration
    /// The most entity changes in one group-committed transaction. One `apply` call is never split, so a single
    /// larger call still runs (alone) in one transaction.
    public var maxChangesPerTransaction: Int
    /// The page cache of each connection, in KiB (SQLite's default is 2,000). The writer touches many index pages
    /// per entity: a cache that holds the hot ones halves its work at 100k entities.
    public var pageCacheKiB: Int
    /// How much of the database file readers map into memory, in bytes (0 turns memory mapping off). Mapped
    /// pages are shared by every connection instead of copied into each one's cache.
    public var memoryMapBytes: Int
    /// Entities kept in memory per tenant for reads by id (0 turns the cache off); see `EntityCache`.
    public var entityCacheSize: Int
    /// Whether every committed attribute change is kept as an instance (the temporal API's history).
    public var recordsTemporalEvolution = true
    /// Whether writes append audit records (see `AuditLog`). Off only to measure what the audit trail costs.
    public var recordsAudit = true
    /// How many of a type's entities a query with a `q` pre-filter confirms one by one, in rowid order, before it
    /// switches to the pre-filter (see `SQLiteEntityStore.query`). Tests lower it to reach both phases.
    package var scanFirstBudget = 400

    /// Creates a configuration.
    /// - Parameters:
    ///   - storage: Where the data lives.
    ///   - synchronous: Commit durability (default `.full`).
    ///   - busyTimeout: Lock wait before failing (default 5 s).
    ///   - readerPoolSize: Concurrent readers per tenant (default 4).
    ///   - groupCommitWindow: Extra wait for more writes before a transaction starts (default zero).
    ///   - maxChangesPerTransaction: Bound on the changes merged into one transaction (default 1,000).
    ///   - pageCacheKiB: Page cache per connection (default 64 MiB).
    ///   - memoryMapBytes: Memory-mapped part of the file (default 1 GiB).
    ///   - entityCacheSize: Entities cached per tenant for reads by id (default 10,000).
    public init(
        storage: Storage,
        synchronous: Synchronous = .full,
        busyTimeout: Duration = .seconds(5),
        readerPoolSize: Int = 4,
        groupCommitWindow: Duration = .zero,
        maxChangesPerTransaction: Int = 1000,
        pageCacheKiB: Int = 65536,
        memoryMapBytes: Int = 1 << 30,
        entityCacheSize: Int = 10_000
    ) {
        self.storage = storage
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.readerPoolSize = readerPoolSize
        self.groupCommitWindow = groupCommitWindow
        self.maxChangesPerTransaction = maxChangesPerTransaction
        self.pageCacheKiB = pageCacheKiB
        self.memoryMapBytes = memoryMapBytes
        self.entityCacheSize = entityCacheSize
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var timeInterval: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
