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

/// Translates an `EntityQuery` into SQL over `entity`.
///
/// Every condition selects a superset of what `EntityQuery.matches(_:)` accepts. The plan is **exact** (selects
/// precisely the matches, so LIMIT, OFFSET and COUNT can run in SQL) when it uses only ids, types and attribute
/// names. `q` and geo conditions are pre-filters through the `attr_num` / `attr_str` tables and the R*Tree: they
/// keep the candidate set small, and the executor confirms each candidate in Swift. `idPattern` and `scopeQ` are
/// left to Swift entirely.
///
/// Conditions on other tables are `rowid IN (SELECT entity_rowid …)` subqueries, so SQLite drives the search from
/// the most selective index instead of scanning entities. When the query names exactly one type (the common
/// `type=WaterObserved`), the type's own index can drive instead (`typeDriven`): it yields that type's entities
/// in rowid order, so a page stops after `limit` rows instead of first collecting every entity of the type.
struct QueryPlan {
    /// Every condition: ids, types, attribute names, `q` and geo pre-filters.
    var filter: SQLFragment?
    /// The conditions other than the single type, when `drivingType` is set: ids, attribute names (`base`) and,
    /// for the whole plan, the pre-filters.
    var base: SQLFragment?
    /// The one type every match has, if the query has exactly one type (not `*`) and no ids.
    var drivingType: String?
    var exact: Bool
    /// Whether `q` has a pre-filter (and no geo-query does): candidates are then cheapest to find by scanning the
    /// type in rowid order first, since such filters often match a large share of the type.
    var scanFirst: Bool

    init(_ query: EntityQuery) {
        var baseParts: [SQLFragment] = []
        var prefilters: [SQLFragment] = []
        exact =
            query.idPattern == nil && query.scopeQ == nil && query.q == nil && query.geo == nil
            && query.selectors == nil && query.ordering == nil
        if let ids = query.ids {
            baseParts.append(SQLFragment("id IN (\(SQLFragment.placeholders(ids.count)))", ids.map(\.databaseValue)))
        }
        let qCondition = query.q.flatMap(QTranslator.condition)
        if let qCondition { prefilters.append(qCondition) }
        let geoCondition = query.geo.flatMap(GeoBounds.condition)
        if let geoCondition { prefilters.append(geoCondition) }
        // With a pre-filter (or ids) to drive the search, types and attribute names are checked per candidate
        // (a primary-key lookup) instead of listing every entity of the type first.
        let correlated = !prefilters.isEmpty || query.ids != nil
        var typeCondition: SQLFragment?
        if let types = query.types {
            if case .type(let type) = types, type != "*", query.ids == nil { drivingType = type }
            typeCondition = Self.condition(types, correlated: correlated)
        }
        if let names = query.attributes {
            let terms = "(SELECT id FROM term WHERE iri IN (\(SQLFragment.placeholders(names.count))))"
            baseParts.append(
                SQLFragment(
                    correlated
                        ? "EXISTS (SELECT 1 FROM attr WHERE name IN \(terms) AND entity_rowid = entity.rowid)"
                        : "rowid IN (SELECT entity_rowid FROM attr WHERE name IN \(terms))",
                    names.map(\.databaseValue)
                )
            )
        }
        scanFirst = qCondition != nil && geoCondition == nil && drivingType != nil
        let all = baseParts + (typeCondition.map { [$0] } ?? []) + prefilters
        filter = all.isEmpty ? nil : .and(all)
        base = baseParts.isEmpty ? nil : .and(baseParts)
    }

    var whereClause: String { filter.map { " WHERE " + $0.sql } ?? "" }
    var arguments: StatementArguments { StatementArguments(filter?.arguments ?? []) }

    /// `FROM … WHERE …` over the driving type's index joined to `entity`, with `extra` conditions;
    /// rows come in rowid order when ordered by `t.entity_rowid`. Only when `drivingType` is set.
    func typeDriven(_ extra: SQLFragment? = nil) -> (sql: String, arguments: StatementArguments) {
        let conditions =
            [SQLFragment("t.type = \(TermTable.termID)", [(drivingType ?? "").databaseValue])]
            + [base, extra].compactMap { $0 }
        let condition = SQLFragment.and(conditions)
        // CROSS JOIN keeps entity_type as the outer loop; entity_type has no rowid, so `rowid` in the
        // conditions is the entity's.
        return (
            " FROM entity_type t CROSS JOIN entity ON entity.rowid = t.entity_rowid WHERE " + condition.sql,
            StatementArguments(condition.arguments)
        )
    }

    /// The type expression as SQL: `rowid IN (…)` lists (to drive the search), or `correlated` point lookups.
    static func condition(_ types: TypeExpression, correlated: Bool) -> SQLFragment {
        switch types {
        case .type("*"):
            // `type=*`: every entity.
            .alwaysTrue
        case .type(let type):
            SQLFragment(
                correlated
                    ? "EXISTS (SELECT 1 FROM entity_type WHERE type = \(TermTable.termID) AND entity_rowid = entity.rowid)"
                    : "rowid IN (SELECT entity_rowid FROM entity_type WHERE type = \(TermTable.termID))",
                [type.databaseValue]
            )
        case .and(let parts): .and(parts.map { condition($0, correlated: correlated) })
        case .or(let parts): .or(parts.map { condition($0, correlated: correlated) })
        }
    }
}
