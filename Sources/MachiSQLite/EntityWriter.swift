import GRDB
import MachiCore

/// Reads and writes entity rows and keeps every index table and counter in step, inside the caller's
/// transaction. All statements are cached per connection.
struct EntityWriter {
    let db: Database

    /// The stored row of an entity.
    struct StoredRow {
        var rowid: Int64
        var entity: Entity
        var indexRows: EntityIndexRows
    }

    /// The current row for `id`, decoded.
    /// - Throws: `StoredEntityCodec.Failure` if the stored document is damaged; `DatabaseError` on I/O errors.
    func row(id: String) throws -> StoredRow? {
        let statement = try db.cachedStatement(sql: "SELECT rowid, doc FROM entity WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id]) else { return nil }
        let entity = try StoredEntityCodec.decode(row[1] as String)
        return StoredRow(rowid: row[0], entity: entity, indexRows: EntityIndexRows(entity))
    }

    /// Inserts, updates or deletes so that the entity stored under `before`'s row becomes `after`.
    func write(before: StoredRow?, after: Entity?) throws {
        let newRows = after.map(EntityIndexRows.init)
        switch (before, after) {
        case (nil, nil):
            return
        case (nil, let after?):
            try db.cachedStatement(sql: "INSERT INTO entity (id, doc, created_at, modified_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [
                    after.id, StoredEntityCodec.encode(after), after.createdAt, after.modifiedAt,
                ])
            try insertIndexRows(newRows!, rowid: db.lastInsertedRowID, old: nil)
        case (let before?, let after?):
            try db.cachedStatement(sql: "UPDATE entity SET doc = ?, created_at = ?, modified_at = ? WHERE rowid = ?")
                .execute(arguments: [StoredEntityCodec.encode(after), after.createdAt, after.modifiedAt, before.rowid])
            try insertIndexRows(newRows!, rowid: before.rowid, old: before.indexRows)
        case (let before?, nil):
            try deleteGeoRows(rowid: before.rowid)
            // entity_type, attr, attr_value and geo_entry cascade.
            try db.cachedStatement(sql: "DELETE FROM entity WHERE rowid = ?").execute(arguments: [before.rowid])
        }
        try updateCounters(from: before?.indexRows, to: newRows)
    }

    /// Writes the index rows of `rows`, replacing `old` (the rows already stored for this entity). Only the
    /// tables whose rows differ are touched.
    private func insertIndexRows(_ rows: EntityIndexRows, rowid: Int64, old: EntityIndexRows?) throws {
        if rows.types != old?.types {
            if old != nil {
                try db.cachedStatement(sql: "DELETE FROM entity_type WHERE entity_rowid = ?").execute(arguments: [rowid]
                )
            }
            let insert = try db.cachedStatement(sql: "INSERT INTO entity_type (type, entity_rowid) VALUES (?, ?)")
            for type in rows.types { try insert.execute(arguments: [type, rowid]) }
        }
        if rows.attributeNames != old?.attributeNames {
            if old != nil {
                try db.cachedStatement(sql: "DELETE FROM attr WHERE entity_rowid = ?").execute(arguments: [rowid])
            }
            let insert = try db.cachedStatement(sql: "INSERT INTO attr (entity_rowid, name) VALUES (?, ?)")
            for name in rows.attributeNames { try insert.execute(arguments: [rowid, name]) }
        }
        if rows.values != old?.values {
            if old != nil {
                try db.cachedStatement(sql: "DELETE FROM attr_value WHERE entity_rowid = ?").execute(arguments: [rowid])
            }
            let insert = try db.cachedStatement(
                sql: "INSERT INTO attr_value (entity_rowid, name, dataset_id, num, str) VALUES (?, ?, ?, ?, ?)"
            )
            for value in rows.values {
                try insert.execute(arguments: [rowid, value.name, value.datasetId, value.number, value.string])
            }
        }
        if rows.geo != old?.geo {
            if old != nil {
                try deleteGeoRows(rowid: rowid)
                try db.cachedStatement(sql: "DELETE FROM geo_entry WHERE entity_rowid = ?").execute(arguments: [rowid])
            }
            let entry = try db.cachedStatement(sql: "INSERT INTO geo_entry (entity_rowid, name) VALUES (?, ?)")
            let box = try db.cachedStatement(
                sql: "INSERT INTO geo_index (id, min_lon, max_lon, min_lat, max_lat) VALUES (?, ?, ?, ?, ?)"
            )
            for geo in rows.geo {
                try entry.execute(arguments: [rowid, geo.name])
                try box.execute(arguments: [
                    db.lastInsertedRowID, geo.box.minLongitude, geo.box.maxLongitude, geo.box.minLatitude,
                    geo.box.maxLatitude,
                ])
            }
        }
    }

    private func deleteGeoRows(rowid: Int64) throws {
        try db.cachedStatement(
            sql: "DELETE FROM geo_index WHERE id IN (SELECT id FROM geo_entry WHERE entity_rowid = ?)"
        ).execute(arguments: [rowid])
    }

    /// Applies the counter deltas; rows that reach zero are removed.
    private func updateCounters(from old: EntityIndexRows?, to new: EntityIndexRows?) throws {
        for (type, delta) in EntityIndexRows.typeDeltas(from: old, to: new) {
            try adjust(table: "type_stat", key: "type = ?", keyArguments: [type], delta: delta) {
                try db.cachedStatement(sql: "INSERT INTO type_stat (type, entity_count) VALUES (?, ?)")
                    .execute(arguments: [type, delta])
            }
        }
        for (key, delta) in EntityIndexRows.typeAttributeDeltas(from: old, to: new) {
            try adjust(
                table: "type_attr_stat",
                key: "type = ? AND name = ? AND kind = ?",
                keyArguments: [key.type, key.name, key.kind],
                delta: delta
            ) {
                try db.cachedStatement(
                    sql: "INSERT INTO type_attr_stat (type, name, kind, entity_count) VALUES (?, ?, ?, ?)"
                ).execute(arguments: [key.type, key.name, key.kind, delta])
            }
        }
    }

    /// Adds `delta` to the counter row selected by `key`, inserting it (for a positive delta) when missing and
    /// deleting it when it reaches zero. A counter never goes below zero.
    private func adjust(
        table: String,
        key: String,
        keyArguments: StatementArguments,
        delta: Int,
        insert: () throws -> Void
    ) throws {
        try db.cachedStatement(sql: "UPDATE \(table) SET entity_count = MAX(entity_count + ?, 0) WHERE \(key)")
            .execute(arguments: [delta] + keyArguments)
        if db.changesCount == 0 {
            if delta > 0 { try insert() }
        } else if delta < 0 {
            try db.cachedStatement(sql: "DELETE FROM \(table) WHERE \(key) AND entity_count = 0")
                .execute(arguments: keyArguments)
        }
    }
}
