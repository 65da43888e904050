import GRDB
import MachiCore
public import MachiStore

/// IoT service groups and devices live in each tenant's own file (table `iot_record`, schema v6).
extension SQLiteEntityStore: ProvisioningStore {
    public func insertProvisioningRecord(
        _ record: ProvisioningRecord,
        tenant: String,
        origin: AuditContext
    ) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: true) else {
            throw StoreError(.internalError, "the tenant database is missing")
        }
        let doc = JSONWriter.string(of: record.document)
        return try await write(database) { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO iot_record (kind, key, doc) VALUES (?, ?, ?)",
                arguments: [record.kind.rawValue, record.key, doc]
            )
            guard db.changesCount > 0 else { return false }
            try self.audit(
                origin.event(.provisioningCreate, target: Self.target(record.kind, record.key), tenant: tenant),
                in: db
            )
            return true
        }
    }

    public func updateProvisioningRecord(
        _ record: ProvisioningRecord,
        tenant: String,
        origin: AuditContext
    ) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        let doc = JSONWriter.string(of: record.document)
        return try await write(database) { db in
            try db.execute(
                sql: "UPDATE iot_record SET doc = ? WHERE kind = ? AND key = ?",
                arguments: [doc, record.kind.rawValue, record.key]
            )
            guard db.changesCount > 0 else { return false }
            try self.audit(
                origin.event(.provisioningUpdate, target: Self.target(record.kind, record.key), tenant: tenant),
                in: db
            )
            return true
        }
    }

    public func deleteProvisioningRecord(
        kind: ProvisioningRecord.Kind,
        key: String,
        tenant: String,
        origin: AuditContext
    ) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        return try await write(database) { db in
            try db.execute(sql: "DELETE FROM iot_record WHERE kind = ? AND key = ?", arguments: [kind.rawValue, key])
            guard db.changesCount > 0 else { return false }
            try self.audit(origin.event(.provisioningDelete, target: Self.target(kind, key), tenant: tenant), in: db)
            return true
        }
    }

    /// The audit target of a provisioning record: `group:<key>` or `device:<key>`.
    static func target(_ kind: ProvisioningRecord.Kind, _ key: String) -> String { "\(kind.rawValue):\(key)" }

    public func allProvisioningRecords() async throws -> [String: [ProvisioningRecord]] {
        var result: [String: [ProvisioningRecord]] = [:]
        for tenant in try tenants.knownTenants() {
            guard let database = try await tenants.database(for: tenant, create: false) else { continue }
            let rows = try await read(database) { db in
                try Row.fetchAll(db, sql: "SELECT kind, key, doc FROM iot_record ORDER BY rowid").map {
                    ($0["kind"] as String, $0["key"] as String, $0["doc"] as String)
                }
            }
            let records = try rows.map { kind, key, doc in
                guard let kind = ProvisioningRecord.Kind(rawValue: kind), let document = try? JSONParser.parse(doc)
                else { throw StoreError(.corrupt, "a stored IoT provisioning record cannot be read") }
                return ProvisioningRecord(kind: kind, key: key, document: document)
            }
            if !records.isEmpty { result[tenant] = records }
        }
        return result
    }
}
