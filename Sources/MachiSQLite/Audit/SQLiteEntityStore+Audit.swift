import GRDB
public import MachiStore

/// Each tenant's database holds that tenant's audit chain (table `audit_record`, schema v7); writes append to it
/// in their own transaction (see `WriteTransaction` and the subscription, provisioning and hosted-context writes).
extension SQLiteEntityStore: AuditLog {
    /// Appends in one transaction to `tenant`'s chain, creating the tenant's database if needed.
    public func append(_ events: [AuditEvent], tenant: String) async throws {
        guard !events.isEmpty else { return }
        guard let database = try await tenants.database(for: tenant, create: true) else {
            throw StoreError(.internalError, "the tenant database is missing")
        }
        try await write(database) { db in
            var appender = AuditAppender(db: db)
            try appender.append(events)
        }
    }

    /// Newest first; none for a tenant without a database.
    public func auditRecords(matching query: AuditQuery, tenant: String) async throws -> [AuditRecord] {
        guard let database = try await tenants.database(for: tenant, create: tenant == StoreTenant.defaultName) else {
            return []
        }
        return try await read(database) { db in try AuditReader(db: db).records(matching: query) }
    }

    /// Verifies the chain of `tenant` (an empty chain for a tenant without a database).
    public func verifyAudit(tenant: String) async throws -> AuditVerification {
        guard let database = try await tenants.database(for: tenant, create: tenant == StoreTenant.defaultName) else {
            return AuditChainVerifier().verification
        }
        return try await read(database) { db in try AuditReader(db: db).verify() }
    }

    /// Every tenant with a database (whose chain `verifyAudit` can check).
    public func auditedTenants() throws -> [String] {
        var tenants = try self.tenants.knownTenants()
        if !tenants.contains(StoreTenant.defaultName) { tenants.insert(StoreTenant.defaultName, at: 0) }
        return tenants
    }

    /// Appends `event` inside the caller's write transaction, unless the store records no audit trail.
    func audit(_ event: AuditEvent, in db: Database) throws {
        guard configuration.recordsAudit else { return }
        var appender = AuditAppender(db: db)
        try appender.append(event)
    }
}
