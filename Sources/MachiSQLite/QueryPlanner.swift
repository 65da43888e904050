import GRDB
import MachiCore

/// A piece of SQL with its arguments, in placeholder order.
struct SQLFragment {
    var sql: String
    var arguments: [DatabaseValue]

    init(_ sql: String, _ arguments: [DatabaseValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }

    static let alwaysTrue = SQLFragment("1")
    static let alwaysFalse = SQLFragment("0")

    static func and(_ parts: [SQLFragment]) -> SQLFragment { join(parts, "AND", empty: .alwaysTrue) }
    static func or(_ parts: [SQLFragment]) -> SQLFragment { join(parts, "OR", empty: .alwaysFalse) }

    private static func join(_ parts: [SQLFragment], _ op: String, empty: SQLFragment) -> SQLFragment {
        if parts.count == 1 { return parts[0] }
        guard !parts.isEmpty else { return empty }
        return SQLFragment(
            "(" + parts.map(\.sql).joined(separator: " \(op) ") + ")",
            parts.flatMap(\.arguments)
        )
    }

    /// `?, ?, ?` for `values`.
    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }
}

/// Translates an `EntityQuery` into a WHERE clause over `entity`.
///
/// Every condition selects a superset of what `EntityQuery.matches(_:)` accepts. The plan is **exact** (selects
/// precisely the matches, so LIMIT, OFFSET and COUNT can run in SQL) when it uses only ids, types and attribute
/// names. `q` and geo conditions are pre-filters through the `attr_num` / `attr_str` tables and the R*Tree: they keep the
/// candidate set small, and the executor confirms each candidate in Swift. `idPattern` and `scopeQ` are left to
/// Swift entirely.
///
/// Conditions on other tables are `rowid IN (SELECT entity_rowid …)` subqueries, so SQLite drives the search from
/// the most selective index instead of scanning entities.
struct QueryPlan {
    var filter: SQLFragment?
    var exact: Bool

    init(_ query: EntityQuery) {
        var parts: [SQLFragment] = []
        exact =
            query.idPattern == nil && query.scopeQ == nil && query.q == nil && query.geo == nil
            && query.selectors == nil && query.ordering == nil
        if let ids = query.ids {
            parts.append(SQLFragment("id IN (\(SQLFragment.placeholders(ids.count)))", ids.map(\.databaseValue)))
        }
        if let types = query.types { parts.append(Self.condition(types)) }
        if let names = query.attributes {
            parts.append(
                SQLFragment(
                    "rowid IN (SELECT entity_rowid FROM attr WHERE name IN "
                        + "(SELECT id FROM term WHERE iri IN (\(SQLFragment.placeholders(names.count)))))",
                    names.map(\.databaseValue)
                )
            )
        }
        if let q = query.q, let condition = QTranslator.condition(q) { parts.append(condition) }
        if let geo = query.geo, let condition = GeoBounds.condition(geo) { parts.append(condition) }
        filter = parts.isEmpty ? nil : .and(parts)
    }

    var whereClause: String { filter.map { " WHERE " + $0.sql } ?? "" }
    var arguments: StatementArguments { StatementArguments(filter?.arguments ?? []) }

    static func condition(_ types: TypeExpression) -> SQLFragment {
        switch types {
        case .type("*"):
            // `type=*`: every entity.
            .alwaysTrue
        case .type(let type):
            SQLFragment(
                "rowid IN (SELECT entity_rowid FROM entity_type WHERE type = \(TermTable.termID))",
                [type.databaseValue]
            )
        case .and(let parts): .and(parts.map(condition))
        case .or(let parts): .or(parts.map(condition))
        }
    }
}
