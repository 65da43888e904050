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
        /// The rowid of the entity's temporal row when this writer last recorded an instance of it: a hint for
        /// `TemporalWriter.refreshEntity`, which checks it against the id.
        var temporalRowid: Int64?
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
        return StoredRow(rowid: before.rowid, entity: after, indexRows: newRows, temporalRowid: before.temporalRowid)
    }

    /// Writes the difference between the index rows `old` (stored for the entity) and `new`: rows only in `old`
    /// are deleted, rows only in `new` inserted, so an update touches only what changed.
    func writeIndexRows(from old: EntityIndexRows?, to new: EntityIndexRows?, rowid: Int64) throws {
        try sync(old?.types, new?.types, in: .types) { [try terms.id($0), rowid] }
        try sync(old?.attributeNames, new?.attributeNames, in: .attributes) { [try terms.id($0), rowid] }
        try sync(old?.numbers, new?.numbers, in: .numbers) { [try terms.id($0.name), $0.number, rowid] }
        try sync(old?.strings, new?.strings, in: .strings) { [try terms.id($0.name), $0.string, rowid] }
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

    /// An index table keyed `(columns…, entity_rowid)`, with the SQL of its two statements made once.
    struct IndexTable {
        let delete: String
        let insert: String

        init(_ table: String, columns: [String]) {
            let names = columns + ["entity_rowid"]
            delete = "DELETE FROM \(table) WHERE " + names.map { "\($0) = ?" }.joined(separator: " AND ")
            insert =
                "INSERT OR IGNORE INTO \(table) (\(names.joined(separator: ", "))) VALUES "
                + "(\(SQLFragment.placeholders(names.count)))"
        }

        static let types = IndexTable("entity_type", columns: ["type"])
        static let attributes = IndexTable("attr", columns: ["name"])
        static let numbers = IndexTable("attr_num", columns: ["name", "num"])
        static let strings = IndexTable("attr_str", columns: ["name", "str"])
    }

    /// Deletes the rows of `old` missing from `new` and inserts those of `new` missing from `old`; `arguments` gives
    /// a row's statement arguments (its columns, then the entity's rowid).
    private func sync<Row: Hashable>(
        _ old: [Row]?,
        _ new: [Row]?,
        in table: IndexTable,
        arguments: (Row) throws -> StatementArguments
    ) throws {
        let old = old ?? []
        let new = new ?? []
        guard old != new else { return }
        let removed = Self.missing(old, from: new)
        if !removed.isEmpty {
            let delete = try db.cachedStatement(sql: table.delete)
            for row in removed { try delete.execute(arguments: try arguments(row)) }
        }
        let added = Self.missing(new, from: old)
        if !added.isEmpty {
            let insert = try db.cachedStatement(sql: table.insert)
            for row in added { try insert.execute(arguments: try arguments(row)) }
        }
    }

    /// The rows of `rows` that `other` lacks, in order; an entity's index rows are few, so small arrays are compared
    /// without hashing.
    static func missing<Row: Hashable>(_ rows: [Row], from other: [Row]) -> [Row] {
        if other.count <= 8 { return rows.filter { !other.contains($0) } }
        let others = Set(other)
        return rows.filter { !others.contains($0) }
    }
}
