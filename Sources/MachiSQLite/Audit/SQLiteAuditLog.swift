public import Foundation
import GRDB
public import MachiStore

/// An audit chain in a database of its own: for events that belong to no tenant database (sign-in, token issue,
/// administration of users and clients). It creates `audit_record` if the file lacks it, so it can share a file
/// with other tables (the identity database); every record of every tenant goes into the file's one chain.
///
/// ```swift
/// let system = try SQLiteAuditLog(file: dataDirectory.appending(path: "identity.sqlite"))
/// try await system.append(AuditContext(principal: user, requestId: id).event(.signIn, target: nil, tenant: ""), tenant: "")
/// ```
public final class SQLiteAuditLog: AuditLog {
    private let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `file` in WAL mode, or a private in-memory one when `nil`.
    /// - Throws: `StoreError`.
    public init(file: URL?) throws {
        var configuration = Configuration()
        configuration.label = "machi.audit"
        configuration.busyMode = .timeout(5)
        do {
            let writer: any DatabaseWriter =
                if let file {
                    try DatabasePool(path: file.path, configuration: configuration)
                } else {
                    try DatabaseQueue(configuration: configuration)
                }
            try writer.write { db in try db.execute(sql: AuditTable.createSQL) }
            self.writer = writer
        } catch {
            throw StoreError(mapping: error, "cannot open the audit database")
        }
    }

    /// Appends in one transaction; `tenant` only names the events' tenant, the chain is the file's.
    public func append(_ events: [AuditEvent], tenant: String) async throws {
        guard !events.isEmpty else { return }
        try await run {
            try await self.writer.write { db in
                var appender = AuditAppender(db: db)
                try appender.append(events)
            }
        }
    }

    /// The file's records matching `query` (of every tenant), newest first.
    public func auditRecords(matching query: AuditQuery, tenant: String) async throws -> [AuditRecord] {
        try await run { try await self.writer.read { db in try AuditReader(db: db).records(matching: query) } }
    }

    /// Verifies the file's chain.
    public func verifyAudit(tenant: String) async throws -> AuditVerification {
        try await run { try await self.writer.read { db in try AuditReader(db: db).verify() } }
    }

    /// Closes the database.
    public func close() throws {
        do { try writer.close() } catch { throw StoreError(mapping: error, "cannot close the audit database") }
    }

    private func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreError(mapping: error, "the audit database failed")
        }
    }
}
