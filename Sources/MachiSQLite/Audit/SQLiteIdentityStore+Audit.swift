import GRDB
public import MachiStore

/// The identity database keeps its own audit chain (table `audit_record`, migration `v2-identity-audit`): sign-ins,
/// token issues and the administration of users and clients. It is one chain for every tenant; each record names
/// its tenant, and `AuditQuery.tenant` narrows a read to one.
extension SQLiteIdentityStore: AuditLog {
    /// Appends in one transaction; `tenant` only names the events' tenant, the chain is the file's.
    public func append(_ events: [AuditEvent], tenant: String) async throws {
        guard !events.isEmpty else { return }
        try await run("cannot append to the audit trail") { db in try Self.record(events, in: db) }
    }

    /// The file's records matching `query` (of every tenant unless `query.tenant` names one), newest first.
    public func auditRecords(matching query: AuditQuery, tenant: String) async throws -> [AuditRecord] {
        try await read("cannot read the audit trail") { db in try AuditReader(db: db).records(matching: query) }
    }

    /// Verifies the file's chain.
    public func verifyAudit(tenant: String) async throws -> AuditVerification {
        try await read("cannot read the audit trail") { db in try AuditReader(db: db).verify() }
    }

    /// Appends `events` inside the caller's write transaction.
    static func record(_ events: [AuditEvent], in db: Database) throws {
        guard !events.isEmpty else { return }
        var appender = AuditAppender(db: db)
        try appender.append(events)
    }
}
