import Foundation
import GRDB
import MachiCore
import MachiStore
import OrderedCollections

/// Writes attribute instances and temporal entity rows inside the caller's transaction.
struct TemporalWriter {
    let db: Database
    let terms: TermTable

    /// The temporal entity rows already written in this transaction: id → (rowid, types as written).
    typealias RowCache = [String: (rowid: Int64, types: [String])]

    /// An attribute instance ready to be inserted: its columns, its document rendered.
    struct InstanceRow {
        var entity: Int64
        var name: Int64
        var datasetId: String?
        var observedAt: Double?
        var time: Double
        var document: String
    }

    /// The most instance rows one INSERT statement writes.
    static let rowsPerStatement = 64

    /// Records the instances a committed entity change wrote: every instance of `after` that is new or differs
    /// from `before`'s instance of the same `datasetId`, and a change of the scopes. A deletion records nothing (the
    /// history stays).
    /// - Parameters:
    ///   - rows: the transaction's temporal entity rows, so that the steps of one change (a device's measures)
    ///     write the entity row once.
    ///   - hint: the rowid the entity's temporal row had when the writer last recorded it, if known: refreshed by
    ///     rowid, which costs a fraction of the upsert (`refreshEntity`).
    ///   - pending: where the instance rows go; the caller inserts them (`insert(_:)`) before it commits, many
    ///     rows per statement.
    func record(
        before: Entity?,
        after: Entity?,
        at time: Date,
        rows: inout RowCache,
        hint: Int64?,
        pending: inout [InstanceRow]
    ) throws {
        guard let after else { return }
        var changed: [(name: String, attribute: Attribute)] = []
        for (position, (name, instances)) in after.attributes.enumerated() {
            // A step keeps the order of the attributes: look at the same position first, hash the name only if the
            // key there differs.
            let old: [Attribute]
            if let before, position < before.attributes.count, before.attributes.keys[position] == name {
                old = before.attributes.values[position]
            } else {
                old = before?.attributes[name] ?? []
            }
            // A step leaves the attributes it does not touch as they were, sharing their storage: nothing to compare.
            if Self.sharesStorage(old, instances) { continue }
            for instance in instances where !old.contains(instance) {
                changed.append((name, instance))
            }
        }
        // The scopes are part of the temporal evolution too (4.5.6): a change of them is an instance of `scope`.
        if after.scopes != (before?.scopes ?? []) {
            changed.append((TemporalScope.name, TemporalScope.instance(after.scopes, at: time)))
        }
        guard !changed.isEmpty else { return }
        let entity: Int64
        if let known = rows[after.id], known.types == after.types {
            entity = known.rowid
        } else {
            entity = try refreshEntity(id: after.id, types: after.types, at: time, hint: hint)
            rows[after.id] = (entity, after.types)
        }
        try render(changed, entity: entity, at: time, into: &pending)
    }

    /// Whether two arrays are the same storage (so equal), which a copy-on-write copy of an entity keeps for every
    /// attribute it did not change.
    static func sharesStorage(_ a: [Attribute], _ b: [Attribute]) -> Bool {
        a.count == b.count
            && a.withUnsafeBufferPointer { first in
                b.withUnsafeBufferPointer { second in first.baseAddress == second.baseAddress }
            }
    }

    /// The temporal entity's rowid after refreshing its types and modification time: through `hint` if the row
    /// there is still the entity's (an UPDATE that checks the id, so a stale hint does no harm), else by
    /// `upsertEntity`.
    func refreshEntity(id: String, types: [String], at time: Date, hint: Int64?) throws -> Int64 {
        if let hint {
            try db.cachedStatement(
                sql: "UPDATE temporal_entity SET types = ?, modified_at = ? WHERE rowid = ? AND id = ?"
            ).execute(arguments: [Self.typesText(types), time.timeIntervalSince1970, hint, id])
            if db.changesCount == 1 { return hint }
        }
        return try upsertEntity(id: id, types: types, at: time)
    }

    static func typesText(_ types: [String]) -> String { JSONWriter.string(of: .array(types.map(JSON.string))) }

    /// The temporal entity's rowid, inserting it or refreshing its types and modification time.
    func upsertEntity(id: String, types: [String], at time: Date) throws -> Int64 {
        let typesText = Self.typesText(types)
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO temporal_entity (id, types, created_at, modified_at) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET types = excluded.types, modified_at = excluded.modified_at
                RETURNING rowid
                """
        )
        guard
            let rowid = try Int64.fetchOne(
                statement,
                arguments: [id, typesText, time.timeIntervalSince1970, time.timeIntervalSince1970]
            )
        else { throw StoreError(.internalError, "the temporal entity row was not written") }
        return rowid
    }

    /// Whether an instance's `doc` leaves the member out: its columns hold it, or it is given again on reading.
    static func isColumnMember(_ key: String) -> Bool {
        switch key {
        case "instanceId", "createdAt", "modifiedAt": true
        default: false
        }
    }

    func insert(_ instances: [(name: String, attribute: Attribute)], entity: Int64, at time: Date) throws {
        var rows: [InstanceRow] = []
        try render(instances, entity: entity, at: time, into: &rows)
        try insert(rows)
    }

    /// Renders instances as rows: the document without the members the columns hold.
    func render(
        _ instances: [(name: String, attribute: Attribute)],
        entity: Int64,
        at time: Date,
        into rows: inout [InstanceRow]
    ) throws {
        var document: [UInt8] = []
        var lastObservedAt: (text: String, seconds: Double?)?
        for (name, attribute) in instances {
            // The row's own columns hold the instance's times (the encoder reads them): ~76 bytes less per instance.
            document.removeAll(keepingCapacity: true)
            JSONWriter.write(attribute.members, skipping: Self.isColumnMember, into: &document)
            var observedAt: Double?
            if let text = attribute.members["observedAt"]?.stringValue {
                // The measures of one device group share their time: parse it once.
                if let last = lastObservedAt, last.text == text {
                    observedAt = last.seconds
                } else {
                    observedAt = DateTimeText.parse(text)?.timeIntervalSince1970
                    lastObservedAt = (text, observedAt)
                }
            }
            rows.append(
                InstanceRow(
                    entity: entity,
                    name: try terms.id(name),
                    datasetId: attribute.datasetId,
                    observedAt: observedAt,
                    time: time.timeIntervalSince1970,
                    document: String(decoding: document, as: UTF8.self)
                )
            )
        }
    }

    /// Inserts instance rows in order, `rowsPerStatement` per statement (one statement step instead of many).
    func insert(_ rows: [InstanceRow]) throws {
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
            let statement = try db.cachedStatement(sql: Self.insertSQL(rows: chunk.count))
            try InstanceRowBinder(statement: statement, db: db).execute(chunk)
            start += chunk.count
        }
    }

    /// The INSERT of `rows` instance rows; the full chunk's text is built once.
    static func insertSQL(rows: Int) -> String {
        rows == rowsPerStatement ? fullChunkSQL : makeInsertSQL(rows: rows)
    }

    private static let fullChunkSQL = makeInsertSQL(rows: rowsPerStatement)

    private static func makeInsertSQL(rows: Int) -> String {
        "INSERT INTO attr_instance (entity, name, dataset_id, observed_at, created_at, modified_at, doc) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }
}
