import GRDB

/// Interns IRIs (attribute names and types) as small integers in the `term` table, so that index rows hold an
/// integer instead of a 40–80 byte IRI: smaller indexes, fewer pages written per commit, faster comparisons.
///
/// Terms are never deleted, so a committed id stays valid forever. The cache lives for one write transaction;
/// after a savepoint rolls back, `forgetUncommitted()` drops it, since a term inserted inside that savepoint is
/// gone. Readers never intern: queries name a term with `termID(_:)`, a subquery that is NULL (matching nothing)
/// for an IRI never stored.
final class TermTable {
    private let db: Database
    private var ids: [String: Int64] = [:]

    init(_ db: Database) { self.db = db }

    /// The term asked for last: the instances of a batch of measures name the same attribute again and again.
    private var last: (iri: String, id: Int64)?

    /// The id of `iri`, inserting the term if it is new.
    func id(_ iri: String) throws -> Int64 {
        if let last, last.iri == iri { return last.id }
        if let id = ids[iri] {
            last = (iri, id)
            return id
        }
        let id: Int64
        if let existing = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM term WHERE iri = ?"),
            arguments: [iri]
        ) {
            id = existing
        } else {
            try db.cachedStatement(sql: "INSERT INTO term (iri) VALUES (?)").execute(arguments: [iri])
            id = db.lastInsertedRowID
        }
        ids[iri] = id
        last = (iri, id)
        return id
    }

    /// Drops the cache: call it after a savepoint rollback.
    func forgetUncommitted() {
        ids.removeAll(keepingCapacity: true)
        last = nil
    }

    /// SQL for the id of the IRI bound to its one placeholder, for use inside a query.
    static let termID = "(SELECT id FROM term WHERE iri = ?)"
}

/// The R*Tree id of an entity's n-th GeoProperty box: `entity_rowid << 20 | n`, so the writer can delete an
/// entity's boxes by id without an index on the entity (a virtual table has none).
enum GeoBoxID {
    /// Room for boxes per entity: far more GeoProperty instances than a request within the body-size limit can
    /// carry (docs/limits.md), so every instance is indexed.
    static let perEntity = 1 << 20

    static func id(entityRowID: Int64, ordinal: Int) -> Int64 { entityRowID << 20 | Int64(ordinal) }
}
