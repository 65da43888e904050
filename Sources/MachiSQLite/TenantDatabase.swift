import Foundation
import GRDB
import MachiCore
import MachiStore

/// One tenant's database: its own file (or in-memory database), migrated, with its own group committer.
final class TenantDatabase: Sendable {
    typealias Committer = GroupCommitter<WriteRequest, [Result<EntityChangeResult, NGSIError>]>

    let tenant: String
    /// A `DatabasePool` (WAL, reader pool) for file storage, a `DatabaseQueue` in memory.
    let writer: any DatabaseWriter
    let committer: Committer
    /// Entities recently read by id; the committer keeps it consistent.
    let cache: EntityCache
    /// The WAL checkpoints, off the writer (file storage only).
    let checkpointer: WALCheckpointer?

    private init(
        tenant: String,
        writer: any DatabaseWriter,
        committer: Committer,
        cache: EntityCache,
        checkpointer: WALCheckpointer?
    ) {
        self.tenant = tenant
        self.writer = writer
        self.committer = committer
        self.cache = cache
        self.checkpointer = checkpointer
    }

    /// Opens (creating if needed) and migrates the tenant's database, and checks that it belongs to `tenant`.
    ///
    /// This does blocking file I/O (open, migrate); it runs once per tenant and process.
    /// - Throws: `StoreError`.
    static func open(
        tenant: String,
        configuration: SQLiteStoreConfiguration,
        makeCommitter: (any DatabaseWriter, EntityCache, WALCheckpointer?, WriterRowCache) -> Committer
    ) throws(StoreError) -> TenantDatabase {
        var config = Configuration()
        config.label = "machi.store"
        config.busyMode = .timeout(configuration.busyTimeout.timeInterval)
        config.maximumReaderCount = max(1, configuration.readerPoolSize)
        let synchronous = configuration.synchronous.pragmaValue  // one of a fixed set of keywords
        let pageCacheKiB = max(0, configuration.pageCacheKiB)
        let memoryMapBytes = max(0, configuration.memoryMapBytes)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            try db.execute(sql: "PRAGMA cache_size = -\(pageCacheKiB)")
            try db.execute(sql: "PRAGMA mmap_size = \(memoryMapBytes)")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // The checkpoints run on a connection of their own (`WALCheckpointer`); this is only the backstop.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerThreshold)")
        }
        let writer: any DatabaseWriter
        var checkpointer: WALCheckpointer?
        do {
            switch configuration.storage.base {
            case .inMemory:
                writer = try DatabaseQueue(configuration: config)
            case .directory(let directory):
                let path = directory.appendingPathComponent(TenantFileName.fileName(for: tenant)).path
                writer = try DatabasePool(path: path, configuration: config)
                checkpointer = try WALCheckpointer(path: path)
            }
            try Schema.migrator.migrate(writer)
            try writer.write { db in
                if let owner = try String.fetchOne(db, sql: "SELECT name FROM tenant WHERE id = 1") {
                    guard owner == tenant else {
                        throw StoreError(.corrupt, "the tenant database file belongs to another tenant")
                    }
                } else {
                    try db.execute(sql: "INSERT INTO tenant (id, name) VALUES (1, ?)", arguments: [tenant])
                }
            }
        } catch {
            throw StoreError(mapping: error, "cannot open the tenant database")
        }
        let cache = EntityCache(capacity: configuration.entityCacheSize)
        return TenantDatabase(
            tenant: tenant,
            writer: writer,
            committer: makeCommitter(
                writer,
                cache,
                checkpointer,
                WriterRowCache(capacity: configuration.entityCacheSize)
            ),
            cache: cache,
            checkpointer: checkpointer
        )
    }

    /// Closes the connections; later calls fail.
    func close() throws(StoreError) {
        checkpointer?.stop()
        do {
            try writer.close()
        } catch {
            throw StoreError(mapping: error, "cannot close the tenant database")
        }
    }
}

extension StoreError {
    /// A store error for `error`: kept as is if it is one already, otherwise classified by SQLite result code.
    /// `message` must be client-safe; the database text goes to `underlying` only.
    init(mapping error: any Error, _ message: String, file: String = #fileID, line: Int = #line) {
        if let error = error as? StoreError {
            self = error
            return
        }
        guard let databaseError = error as? DatabaseError else {
            let code: Code = error is CancellationError ? .unavailable : .internalError
            self.init(code, message, underlying: error, file: file, line: line)
            return
        }
        let code: Code =
            switch databaseError.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
                .unavailable
            case .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_FORMAT, .SQLITE_SCHEMA:
                .corrupt
            case .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_NOMEM, .SQLITE_PROTOCOL, .SQLITE_NOLFS:
                .io
            case .SQLITE_MISUSE:
                .closed
            default:
                .internalError
            }
        self.init(code, message, underlying: databaseError, file: file, line: line)
    }
}
