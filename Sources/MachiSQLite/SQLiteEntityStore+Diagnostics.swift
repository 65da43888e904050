import GRDB
package import MachiCore
import MachiStore

extension SQLiteEntityStore {
    /// The rows of each table of the tenant (`entity`, `entity_type`, `attr`, `attr_num`, `attr_str`, `geo_box`,
    /// `type_stat`, `type_attr_stat`), or `nil` if the tenant has no database. For tests and tooling.
    package func tableRowCounts(tenant: String) async throws -> [String: Int]? {
        guard let database = try await tenants.database(for: tenant, create: false) else { return nil }
        return try await read(database) { db in
            var counts: [String: Int] = [:]
            for table in Self.tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            }
            return counts
        }
    }

    /// SQLite's `EXPLAIN QUERY PLAN` for the statement that pre-selects `query`'s candidates: one line per plan
    /// step, e.g. `SCAN r VIRTUAL TABLE INDEX 2:D0B1`. For tests that check an index is used.
    package func explainQueryPlan(_ query: EntityQuery, tenant: String) async throws -> [String] {
        guard let database = try await tenants.database(for: tenant, create: false) else { return [] }
        let plan = QueryPlan(query)
        return try await read(database) { db in
            try Row.fetchAll(
                db,
                sql: "EXPLAIN QUERY PLAN SELECT doc FROM entity\(plan.whereClause) ORDER BY rowid",
                arguments: plan.arguments
            ).map { $0["detail"] as String }
        }
    }

    /// Whether the plan for `query` is exact (LIMIT, OFFSET and COUNT in SQL).
    package func isExactPlan(_ query: EntityQuery) -> Bool { QueryPlan(query).exact }

    private static let tables = [
        "entity", "entity_type", "attr", "attr_num", "attr_str", "geo_box", "type_stat", "type_attr_stat", "outbox",
    ]
}
