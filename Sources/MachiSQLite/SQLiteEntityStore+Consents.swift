import Foundation
import GRDB
public import MachiCore
public import MachiStore

/// Consents live in the `consent` table of their tenant's database (schema v8), as JSON, indexed by owner and
/// grantee. Reading the consents of a tenant that does not exist answers none and creates nothing.
extension SQLiteEntityStore: ConsentStore {
    public func saveConsent(_ consent: Consent, tenant: String, action: AuditAction, origin: AuditContext) async throws
    {
        guard let database = try await tenants.database(for: tenant, create: true) else {
            throw StoreError(.internalError, "the tenant database could not be opened")
        }
        let doc = JSONWriter.string(of: consent.json)
        try await write(database) { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO consent (id, owner, grantee, doc) VALUES (?, ?, ?, ?)",
                arguments: [consent.id, consent.owner, consent.grantee, doc]
            )
            try self.audit(
                origin.event(
                    action,
                    target: consent.id,
                    tenant: tenant,
                    dataOwner: consent.owner,
                    detail: ["grantee": .string(consent.grantee), "purpose": .string(consent.purpose)]
                ),
                in: db
            )
        }
    }

    public func consent(id: String, tenant: String) async throws -> Consent? {
        try await consents(tenant: tenant, where: "id = ?", id).first
    }

    public func consents(owner: String, tenant: String) async throws -> [Consent] {
        try await consents(tenant: tenant, where: "owner = ?", owner)
    }

    public func consents(grantee: String, tenant: String) async throws -> [Consent] {
        try await consents(tenant: tenant, where: "grantee = ?", grantee)
    }

    private func consents(tenant: String, where condition: String, _ value: String) async throws -> [Consent] {
        guard let database = try await tenants.database(for: tenant, create: false) else { return [] }
        let docs = try await read(database) { db in
            try String.fetchAll(db, sql: "SELECT doc FROM consent WHERE \(condition)", arguments: [value])
        }
        return try docs.map { doc in
            do {
                return try Consent(json: JSONParser.parse(doc, limits: StoredEntityCodec.readLimits))
            } catch {
                throw StoreError(.corrupt, "a stored consent cannot be read", underlying: error)
            }
        }
        .sorted { $0.createdAt > $1.createdAt }
    }
}
