public import Foundation
import GRDB
public import MachiCore
public import MachiStore
import OrderedCollections

/// The temporal evolution lives in each tenant's own file, in `temporal_entity` and `attr_instance`.
extension SQLiteEntityStore: TemporalStore {
    public func appendInstances(
        entityId: String,
        types: [String],
        instances: [(name: String, attribute: Attribute)],
        tenant: String,
        at time: Date
    ) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: true) else {
            throw StoreError(.internalError, "the tenant database is missing")
        }
        let rows = instances.map { ($0.name, $0.attribute) }
        return try await write(database) { db in
            let existed =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM temporal_entity WHERE id = ?)",
                    arguments: [entityId]
                ) ?? false
            let writer = TemporalWriter(db: db, terms: TermTable(db))
            let entity = try writer.upsertEntity(id: entityId, types: types, at: time)
            try writer.insert(rows, entity: entity, at: time)
            return !existed
        }
    }

    public func temporalEntity(
        id: String,
        query temporal: TemporalQuery,
        tenant: String
    ) async throws -> TemporalEntity? {
        guard let database = try await tenants.database(for: tenant, create: false) else { return nil }
        return try await read(database) { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT rowid, id, types, created_at, modified_at FROM temporal_entity WHERE id = ?",
                    arguments: [id]
                )
            else { return nil }
            return try Self.temporalEntity(row, temporal, db)
        }
    }

    public func temporalEntities(
        matching query: EntityQuery,
        temporal: TemporalQuery,
        tenant: String
    ) async throws -> (entities: [TemporalEntity], total: Int) {
        let attributes = temporal.attributes
        guard let database = try await tenants.database(for: tenant, create: false) else { return ([], 0) }
        return try await read(database) { db in
            var matching: [Row] = []
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT rowid, id, types, created_at, modified_at FROM temporal_entity ORDER BY rowid"
            )
            while let row = try rows.next() {
                let id: String = row["id"]
                let types = Self.types(row["types"])
                var selector = EntityQuery(ids: query.ids, idPattern: query.idPattern, types: query.types)
                selector.selectors = query.selectors
                guard selector.matches(Entity(id: id, types: types)) else { continue }
                if let attributes {
                    let names = attributes.map { _ in "?" }.joined(separator: ", ")
                    let has =
                        try Bool.fetchOne(
                            db,
                            sql: """
                                SELECT EXISTS (SELECT 1 FROM attr_instance WHERE entity = ? AND name IN
                                (SELECT id FROM term WHERE iri IN (\(names))))
                                """,
                            arguments: StatementArguments([row["rowid"] as Int64] + attributes.sorted())
                        ) ?? false
                    guard has else { continue }
                }
                matching.append(row.copy())  // cursor rows are reused: keep a copy
            }
            let page = matching.dropFirst(max(0, query.offset)).prefix(max(0, query.limit))
            let entities = try page.map { try Self.temporalEntity($0, temporal, db) }
            return (entities, matching.count)
        }
    }

    public func deleteTemporalEntity(id: String, tenant: String) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        return try await write(database) { db in
            guard
                let rowid = try Int64.fetchOne(
                    db,
                    sql: "SELECT rowid FROM temporal_entity WHERE id = ?",
                    arguments: [id]
                )
            else { return false }
            try db.execute(sql: "DELETE FROM attr_instance WHERE entity = ?", arguments: [rowid])
            try db.execute(sql: "DELETE FROM temporal_entity WHERE rowid = ?", arguments: [rowid])
            return true
        }
    }

    public func deleteInstances(
        entityId: String,
        name: String,
        datasetId: String?,
        deleteAll: Bool,
        tenant: String
    ) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        return try await write(database) { db in
            var sql = """
                DELETE FROM attr_instance WHERE entity = (SELECT rowid FROM temporal_entity WHERE id = ?)
                AND name = \(TermTable.termID)
                """
            var arguments: StatementArguments = [entityId, name]
            if !deleteAll {
                if let datasetId {
                    sql += " AND dataset_id = ?"
                    arguments += [datasetId]
                } else {
                    sql += " AND dataset_id IS NULL"
                }
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount > 0
        }
    }

    public func deleteInstance(entityId: String, name: String, sequence: Int64, tenant: String) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        return try await write(database) { db in
            try db.execute(
                sql: """
                    DELETE FROM attr_instance WHERE seq = ? AND name = \(TermTable.termID)
                    AND entity = (SELECT rowid FROM temporal_entity WHERE id = ?)
                    """,
                arguments: [sequence, name, entityId]
            )
            return db.changesCount > 0
        }
    }

    public func updateInstance(
        entityId: String,
        name: String,
        sequence: Int64,
        attribute: Attribute,
        tenant: String,
        at time: Date
    ) async throws -> Bool {
        guard let database = try await tenants.database(for: tenant, create: false) else { return false }
        var members = attribute.members
        members["instanceId"] = nil
        // The row's own columns hold the instance's times (the encoder reads them): ~76 bytes less per instance.
        members["createdAt"] = nil
        members["modifiedAt"] = nil
        let doc = JSONWriter.string(of: .object(members))
        let observedAt = members["observedAt"]?.stringValue.flatMap(DateTimeText.parse)?.timeIntervalSince1970
        return try await write(database) { db in
            try db.execute(
                sql: """
                    UPDATE attr_instance SET doc = ?, observed_at = ?, modified_at = ?, dataset_id = ?
                    WHERE seq = ? AND name = \(TermTable.termID)
                    AND entity = (SELECT rowid FROM temporal_entity WHERE id = ?)
                    """,
                arguments: [doc, observedAt, time.timeIntervalSince1970, attribute.datasetId, sequence, name, entityId]
            )
            return db.changesCount > 0
        }
    }

    public func deleteInstances(
        recordedBefore cutoff: @Sendable (_ tenant: String) -> Date?
    ) async throws -> [String: Int] {
        var deleted: [String: Int] = [:]
        for tenant in try tenants.knownTenants() {
            guard let time = cutoff(tenant),
                let database = try await tenants.database(for: tenant, create: false)
            else { continue }
            while true {
                let count = try await write(database) { db in
                    try db.execute(
                        sql: """
                            DELETE FROM attr_instance WHERE seq IN
                            (SELECT seq FROM attr_instance WHERE created_at < ? LIMIT 10000)
                            """,
                        arguments: [time.timeIntervalSince1970]
                    )
                    return db.changesCount
                }
                if count > 0 { deleted[tenant, default: 0] += count }
                if count < 10_000 { break }
            }
        }
        return deleted
    }

    /// A temporal entity row with the instances `temporal` may select: of its attributes, in its time window and,
    /// with `lastN`, the last N of each attribute. A superset of what `TemporalQuery.select` keeps (which runs
    /// after), cut in SQL so that instances outside the window are never read or parsed.
    private static func temporalEntity(_ row: Row, _ temporal: TemporalQuery, _ db: Database) throws -> TemporalEntity {
        var entity = TemporalEntity(
            id: row["id"],
            types: types(row["types"]),
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            modifiedAt: Date(timeIntervalSince1970: row["modified_at"])
        )
        let (sql, arguments) = InstanceWindow(temporal).sql(entity: row["rowid"] as Int64)
        let instances = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: arguments)
        while let instance = try instances.next() {
            let name: String = instance[1]
            guard case .object(let members) = try JSONParser.parse(instance[4] as String) else { continue }
            entity.instances[name, default: []].append(
                AttributeInstance(
                    name: name,
                    sequence: instance[0],
                    attribute: Attribute(members: members),
                    createdAt: Date(timeIntervalSince1970: instance[2]),
                    modifiedAt: Date(timeIntervalSince1970: instance[3])
                )
            )
        }
        return entity
    }

    private static func types(_ text: String) -> [String] {
        ((try? JSONParser.parse(text))?.arrayValue ?? []).compactMap(\.stringValue)
    }
}
