import GRDB

/// The changes to `type_stat` and `type_attr_stat` made by the committed changes of one transaction, summed so
/// that each counter row is written once per transaction rather than once per entity.
struct TypeCounters {
    private var types: [String: Int] = [:]
    private var typeAttributes: [EntityIndexRows.TypeAttribute: Int] = [:]

    /// Adds the change of one entity's index rows from `old` to `new`.
    mutating func add(from old: EntityIndexRows?, to new: EntityIndexRows?) {
        for (type, delta) in EntityIndexRows.typeDeltas(from: old, to: new) { types[type, default: 0] += delta }
        for (key, delta) in EntityIndexRows.typeAttributeDeltas(from: old, to: new) {
            typeAttributes[key, default: 0] += delta
        }
    }

    /// Writes the sums; rows that reach zero are removed.
    func apply(_ db: Database) throws {
        for (type, delta) in types where delta != 0 {
            try adjust(db, table: "type_stat", key: "type = ?", keyArguments: [type], delta: delta) {
                try db.cachedStatement(sql: "INSERT INTO type_stat (type, entity_count) VALUES (?, ?)")
                    .execute(arguments: [type, delta])
            }
        }
        for (key, delta) in typeAttributes where delta != 0 {
            try adjust(
                db,
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
        _ db: Database,
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
