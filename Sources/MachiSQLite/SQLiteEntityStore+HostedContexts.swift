import Foundation
import GRDB
import MachiCore
public import MachiStore

/// Hosted @contexts live in the `hosted_context` table of the default tenant's database, one row each, with the
/// tenant that added them as a column: listing one tenant's contexts must not need that tenant's file (and must not
/// create it).
extension SQLiteEntityStore: HostedContextStore {
    /// Every hosted @context, oldest first.
    public func hostedContexts() async throws -> [HostedContextRecord] {
        let database = try await hostedContextDatabase()
        let rows = try await read(database) { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, tenant, doc, created_at, kind FROM hosted_context ORDER BY created_at, id"
            )
            .map { row -> (String, String, String, Double, String) in
                (row["id"], row["tenant"], row["doc"], row["created_at"], row["kind"])
            }
        }
        return try rows.map { id, tenant, doc, createdAt, kind in
            let document: JSON
            do {
                document = try JSONParser.parse(doc, limits: StoredEntityCodec.readLimits)
            } catch {
                throw StoreError(.corrupt, "a stored hosted @context cannot be read", underlying: error)
            }
            guard let kind = HostedContextRecord.Kind(rawValue: kind) else {
                throw StoreError(.corrupt, "a stored hosted @context has an unknown kind")
            }
            return HostedContextRecord(
                id: id,
                tenant: tenant,
                document: document,
                createdAt: Date(timeIntervalSince1970: createdAt),
                kind: kind
            )
        }
    }

    /// Stores the record (replacing one with the same id) and returns after the commit.
    /// The audit record goes to the default tenant's chain (where the row is), naming the context's tenant.
    public func saveHostedContext(_ record: HostedContextRecord, origin: AuditContext) async throws {
        let database = try await hostedContextDatabase()
        let doc = JSONWriter.string(of: record.document)
        try await write(database) { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO hosted_context (id, tenant, doc, created_at, kind) VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    record.id, record.tenant, doc, record.createdAt.timeIntervalSince1970, record.kind.rawValue,
                ]
            )
            try self.audit(origin.event(.contextCreate, target: record.id, tenant: record.tenant), in: db)
        }
    }

    /// Deletes the tenant's hosted @context `id`; another tenant's context of that id is left alone.
    @discardableResult
    public func deleteHostedContext(id: String, tenant: String, origin: AuditContext) async throws -> Bool {
        let database = try await hostedContextDatabase()
        return try await write(database) { db in
            try db.execute(sql: "DELETE FROM hosted_context WHERE id = ? AND tenant = ?", arguments: [id, tenant])
            guard db.changesCount > 0 else { return false }
            try self.audit(origin.event(.contextDelete, target: id, tenant: tenant), in: db)
            return true
        }
    }

    private func hostedContextDatabase() async throws -> TenantDatabase {
        guard let database = try await tenants.database(for: StoreTenant.defaultName, create: true) else {
            throw StoreError(.internalError, "the default tenant database is missing")
        }
        return database
    }

    /// A write outside the entity group committer (GRDB serializes it with the committer's transactions).
    func write<T: Sendable>(
        _ database: TenantDatabase,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            return try await database.writer.write(body)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw StoreError(mapping: error, "the write failed")
        }
    }
}
