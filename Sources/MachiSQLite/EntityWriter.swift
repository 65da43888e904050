import GRDB
import MachiCore

/// Reads and writes entity rows and keeps every index table in step, inside the caller's transaction. All
/// statements are cached per connection. The type counters are not touched here: the caller sums each committed
/// change's `CounterDeltas` and applies them once per transaction.
struct EntityWriter {
    let db: Database
    let terms: TermTable

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
    /// - Returns: The row of `after` as now stored (`nil` once deleted), for the counters and the writer's cache.
    @discardableResult
    func write(before: StoredRow?, after: Entity?) throws -> StoredRow? {
        guard let after else {
            if let before {
                try writeIndexRows(from: before.indexRows, to: nil, rowid: before.rowid)
                try db.cachedStatement(sql: "DELETE FROM entity WHERE rowid = ?").execute(arguments: [before.rowid])
            }
            return nil
        }
        let newRows = EntityIndexRows(after)
        guard let before else {
            try db.cachedStatement(sql: "INSERT INTO entity (id, doc, created_at, modified_at) VALUES (?, ?, ?, ?)")
                .execute(arguments: [
                    after.id, StoredEntityCodec.encode(after), after.createdAt, after.modifiedAt,
                ])
            let rowid = db.lastInsertedRowID
            try writeIndexRows(from: nil, to: newRows, rowid: rowid)
            return StoredRow(rowid: rowid, entity: after, indexRows: newRows)
        }
        try db.cachedStatement(sql: "UPDATE entity SET doc = ?, created_at = ?, modified_at = ? WHERE rowid = ?")
            .execute(arguments: [StoredEntityCodec.encode(after), after.createdAt, after.modifiedAt, before.rowid])
        try writeIndexRows(from: before.indexRows, to: newRows, rowid: before.rowid)
        return StoredRow(rowid: before.rowid, entity: after, indexRows: newRows)
    }

    /// Writes the difference between the index rows `old` (stored for the entity) and `new`: rows only in `old`
    /// are deleted, rows only in `new` inserted, so an update touches only what changed.
    func writeIndexRows(from old: EntityIndexRows?, to new: EntityIndexRows?, rowid: Int64) throws {
        try sync(old?.types, new?.types, table: "entity_type", columns: ("type", nil), rowid: rowid) {
            [try terms.id($0)]
        }
        try sync(old?.attributeNames, new?.attributeNames, table: "attr", columns: ("name", nil), rowid: rowid) {
            [try terms.id($0)]
        }
        try sync(old?.numbers, new?.numbers, table: "attr_num", columns: ("name", "num"), rowid: rowid) {
            [try terms.id($0.name), $0.number]
        }
        try sync(old?.strings, new?.strings, table: "attr_str", columns: ("name", "str"), rowid: rowid) {
            [try terms.id($0.name), $0.string]
        }
        let oldGeo = old?.geo ?? []
        let newGeo = new?.geo ?? []
        if oldGeo != newGeo {
            // Boxes are numbered by position: rewrite them all.
            let delete = try db.cachedStatement(sql: "DELETE FROM geo_box WHERE id = ?")
            for ordinal in oldGeo.indices.prefix(GeoBoxID.perEntity) {
                try delete.execute(arguments: [GeoBoxID.id(entityRowID: rowid, ordinal: ordinal)])
            }
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO geo_box (id, min_lon, max_lon, min_lat, max_lat, entity_rowid, name)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """
            )
            for (ordinal, entry) in newGeo.prefix(GeoBoxID.perEntity).enumerated() {
                try insert.execute(arguments: [
                    GeoBoxID.id(entityRowID: rowid, ordinal: ordinal), entry.box.minLongitude, entry.box.maxLongitude,
                    entry.box.minLatitude, entry.box.maxLatitude, rowid, terms.id(entry.name),
                ])
            }
        }
    }

    /// Deletes the rows of `old` missing from `new` and inserts those of `new` missing from `old`, in a table
    /// keyed `(columns…, entity_rowid)`.
    private func sync<Row: Hashable>(
        _ old: [Row]?,
        _ new: [Row]?,
        table: String,
        columns: (String, String?),
        rowid: Int64,
        key: (Row) throws -> [any DatabaseValueConvertible]
    ) throws {
        let old = old ?? []
        let new = new ?? []
        guard old != new else { return }
        let oldSet = Set(old)
        let newSet = Set(new)
        let names = [columns.0, columns.1].compactMap { $0 } + ["entity_rowid"]
        let removed = old.filter { !newSet.contains($0) }
        if !removed.isEmpty {
            let delete = try db.cachedStatement(
                sql: "DELETE FROM \(table) WHERE " + names.map { "\($0) = ?" }.joined(separator: " AND ")
            )
            for row in removed { try delete.execute(arguments: StatementArguments(try key(row) + [rowid])) }
        }
        let added = new.filter { !oldSet.contains($0) }
        if !added.isEmpty {
            let insert = try db.cachedStatement(
                sql: "INSERT OR IGNORE INTO \(table) (\(names.joined(separator: ", "))) VALUES "
                    + "(\(SQLFragment.placeholders(names.count)))"
            )
            for row in added { try insert.execute(arguments: StatementArguments(try key(row) + [rowid])) }
        }
    }
}
