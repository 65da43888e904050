import GRDB
public import MachiCore
public import MachiStore

extension SQLiteEntityStore {
    /// The matching entities in creation order, one page.
    ///
    /// When the SQL plan is exact (only ids, types and attribute names), LIMIT, OFFSET and COUNT run in SQL.
    /// Otherwise candidates stream from SQL in rowid order and offset, limit and count apply after
    /// `EntityQuery.matches(_:resolvingLinkedEntities:)`; without `count` the stream stops once the page is full.
    /// With an `ordering`, every match is read and sorted before the page is cut.
    /// Linked-entity terms in `q` (`rel{…}`) are followed within the tenant. Both paths read one snapshot (a read
    /// transaction on the reader pool).
    public func query(_ query: EntityQuery, tenant: String) async throws -> EntityPage {
        guard let database = try await tenants.database(for: tenant, create: tenant == StoreTenant.defaultName) else {
            return EntityPage(entities: [], totalCount: query.count ? 0 : nil)
        }
        let plan = QueryPlan(query)
        let limit = max(0, query.limit)
        let offset = max(0, query.offset)
        let budget = max(1, configuration.scanFirstBudget)
        return try await read(database) { db in
            plan.exact
                ? try Self.exactPage(db, query, plan, limit: limit, offset: offset)
                : try Self.filteredPage(db, query, plan, limit: limit, offset: offset, budget: budget)
        }
    }

    private static func exactPage(
        _ db: Database,
        _ query: EntityQuery,
        _ plan: QueryPlan,
        limit: Int,
        offset: Int
    ) throws -> EntityPage {
        var entities: [Entity] = []
        if limit > 0 {
            var sql = "SELECT doc FROM entity\(plan.whereClause) ORDER BY rowid"
            var arguments = plan.arguments
            if plan.drivingType != nil {
                let driven = plan.typeDriven()
                sql = "SELECT entity.doc" + driven.sql + " ORDER BY t.entity_rowid"
                arguments = driven.arguments
            }
            let rows = try String.fetchCursor(
                db,
                sql: sql + " LIMIT ? OFFSET ?",
                arguments: arguments + [limit, offset]
            )
            while let doc = try rows.next() {
                let entity = try StoredEntityCodec.decode(doc)
                if Self.matches(query, entity, db) { entities.append(entity) }
            }
        }
        var total: Int?
        if query.count {
            if let type = plan.drivingType, plan.base == nil {
                // The type's entries alone: an index-only count.
                total = try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM entity_type WHERE type = \(TermTable.termID)",
                    arguments: [type]
                )
            } else if plan.drivingType != nil {
                let driven = plan.typeDriven()
                total = try Int.fetchOne(db, sql: "SELECT COUNT(*)" + driven.sql, arguments: driven.arguments)
            } else {
                total = try Int.fetchOne(
                    db,
                    sql: "SELECT COUNT(*) FROM entity\(plan.whereClause)",
                    arguments: plan.arguments
                )
            }
        }
        return EntityPage(entities: entities, totalCount: total)
    }

    private static func filteredPage(
        _ db: Database,
        _ query: EntityQuery,
        _ plan: QueryPlan,
        limit: Int,
        offset: Int,
        budget: Int
    ) throws -> EntityPage {
        var entities: [Entity] = []
        var matched = 0
        if limit == 0 && !query.count { return EntityPage(entities: []) }
        if let ordering = query.ordering {
            // Ordering needs every match before the page can be cut.
            var all: [Entity] = []
            let rows = try String.fetchCursor(
                db,
                sql: "SELECT doc FROM entity\(plan.whereClause) ORDER BY rowid",
                arguments: plan.arguments
            )
            while let doc = try rows.next() {
                let entity = try StoredEntityCodec.decode(doc)
                if Self.matches(query, entity, db) { all.append(entity) }
            }
            let sorted = ordering.sorted(all)
            let page = Array(sorted.dropFirst(offset).prefix(limit))
            return EntityPage(entities: page, totalCount: query.count ? all.count : nil)
        }
        /// Confirms one candidate; `false` once the page is full and nothing more is needed.
        func consider(_ doc: String) throws -> Bool {
            let entity = try StoredEntityCodec.decode(doc)
            guard Self.matches(query, entity, db) else { return true }
            matched += 1
            if matched > offset && entities.count < limit { entities.append(entity) }
            return query.count || entities.count < limit
        }
        var after: Int64?
        if plan.scanFirst && !query.count {
            // Phase 1: the type's first entities in rowid order, confirmed one by one. Enough when the filter
            // matches a fair share of them; otherwise phase 2 takes over where this stopped.
            let driven = plan.typeDriven()
            let rows = try Row.fetchCursor(
                db,
                sql: "SELECT entity.rowid, entity.doc" + driven.sql + " ORDER BY t.entity_rowid LIMIT ?",
                arguments: driven.arguments + [budget]
            )
            var scanned = 0
            while let row = try rows.next() {
                scanned += 1
                after = row[0]
                guard try consider(row[1]) else { return EntityPage(entities: entities) }
            }
            if scanned < budget {
                return EntityPage(entities: entities, totalCount: query.count ? matched : nil)
            }
        }
        // Phase 2 (or the only one): the pre-filtered candidates.
        var filter = plan.filter ?? .alwaysTrue
        if let after { filter = .and([filter, SQLFragment("rowid > ?", [after.databaseValue])]) }
        let rows = try String.fetchCursor(
            db,
            sql: "SELECT doc FROM entity WHERE \(filter.sql) ORDER BY rowid",
            arguments: StatementArguments(filter.arguments)
        )
        while let doc = try rows.next() {
            guard try consider(doc) else { break }
        }
        return EntityPage(entities: entities, totalCount: query.count ? matched : nil)
    }

    /// The reference semantics, resolving linked entities from the same snapshot.
    private static func matches(_ query: EntityQuery, _ entity: Entity, _ db: Database) -> Bool {
        query.matches(entity) { id in
            // An entity that cannot be read counts as absent here; reading it directly reports the damage.
            guard let statement = try? db.cachedStatement(sql: "SELECT doc FROM entity WHERE id = ?"),
                let doc = try? String.fetchOne(statement, arguments: [id])
            else { return nil }
            return try? StoredEntityCodec.decode(doc)
        }
    }

    /// The types in the tenant with their entity counts and attributes, from counters kept by every write.
    public func typeSummaries(tenant: String) async throws -> [TypeSummary] {
        guard let database = try await tenants.database(for: tenant, create: tenant == StoreTenant.defaultName) else {
            return []
        }
        return try await read(database) { db in
            var summaries: [String: TypeSummary] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT type, entity_count FROM type_stat") {
                let type: String = row[0]
                summaries[type] = TypeSummary(type: type, entityCount: row[1], attributes: [:])
            }
            for row in try Row.fetchAll(db, sql: "SELECT type, name, kind FROM type_attr_stat") {
                let type: String = row[0]
                let name: String = row[1]
                summaries[type]?.attributes[name, default: []].insert(row[2])
            }
            return summaries.values.sorted { $0.type < $1.type }
        }
    }
}
