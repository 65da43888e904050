import MachiCore
import MachiSQLite
import MachiStore
import Testing

/// The SQL pre-filters use the indexes (checked with `EXPLAIN QUERY PLAN`) and are exact only where they may be.
struct QueryPlanTests {
    static let ns = "https://machi.example/ns#"
    static let building = ns + "Building"
    static let temperature = ns + "temperature"
    static let location = ns + "location"

    /// A store with one entity, so the tenant database exists.
    func storeWithOneEntity() async throws -> SQLiteEntityStore {
        let store = try memoryStore()
        let entity = Entity(id: "urn:ngsi-ld:Building:1", types: [Self.building])
        _ = try await store.apply([EntityChange(id: entity.id) { _ in entity }], tenant: "plans")
        return store
    }

    @Test func geoQueryUsesTheRTree() async throws {
        let store = try await storeWithOneEntity()
        let geo = GeoQuery(
            relation: .near(maxDistance: 1_000, minDistance: nil),
            geometry: .point(Position(longitude: 139.76, latitude: 35.68)),
            geoproperty: Self.location
        )
        let plan = try await store.explainQueryPlan(EntityQuery(geo: geo), tenant: "plans")
        #expect(plan.contains { $0.contains("VIRTUAL TABLE INDEX 2:") }, "plan: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN entity") }, "plan: \(plan)")
        #expect(!store.isExactPlan(EntityQuery(geo: geo)))
    }

    @Test func typeAndQUseTheNumberIndex() async throws {
        let store = try await storeWithOneEntity()
        let q = QueryExpression.term(
            QueryTerm(path: AttributePath(attribute: Self.temperature), comparison: .greater(.number(20)))
        )
        let query = EntityQuery(types: .type(Self.building), q: q)
        let plan = try await store.explainQueryPlan(query, tenant: "plans")
        #expect(
            plan.contains { $0.contains("SEARCH attr_num USING PRIMARY KEY (name=? AND num>?)") },
            "plan: \(plan)"
        )
        #expect(!plan.contains { $0.hasPrefix("SCAN entity") }, "plan: \(plan)")
        #expect(!store.isExactPlan(query))
    }

    /// With a geo-query, the R*Tree drives and the type is a primary-key check per candidate: listing every
    /// entity of a common type first would cost as much as the type is large.
    @Test func aGeoQueryWithATypeIsDrivenByTheRTree() async throws {
        let store = try await storeWithOneEntity()
        let geo = GeoQuery(
            relation: .within,
            geometry: .point(Position(longitude: 139.76, latitude: 35.68)),
            geoproperty: Self.location
        )
        let plan = try await store.explainQueryPlan(
            EntityQuery(types: .type(Self.building), geo: geo, attributes: [Self.temperature]),
            tenant: "plans"
        )
        #expect(plan.contains { $0.contains("VIRTUAL TABLE INDEX 2:") }, "plan: \(plan)")
        #expect(plan.contains { $0.contains("CORRELATED") }, "plan: \(plan)")
        #expect(!plan.contains { $0.contains("SEARCH entity_type USING PRIMARY KEY (type=?)") }, "plan: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN entity") }, "plan: \(plan)")
    }

    @Test func typeQueryUsesTheTypeIndexAndIsExact() async throws {
        let store = try await storeWithOneEntity()
        let query = EntityQuery(
            types: .or([.type(Self.building), .type(Self.ns + "Sensor")]),
            attributes: [Self.temperature]
        )
        let plan = try await store.explainQueryPlan(query, tenant: "plans")
        #expect(plan.contains { $0.contains("entity_type") }, "plan: \(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN entity") }, "plan: \(plan)")
        #expect(store.isExactPlan(query))
        #expect(store.isExactPlan(EntityQuery(ids: ["urn:a"], types: .type(Self.building))))
        #expect(!store.isExactPlan(EntityQuery(idPattern: "a")))
    }
}

/// `QueryExpression.entityTypes` (Machi's own node, used to hide entities of personal types): the store answers it
/// exactly as `EntityQuery.matches(_:)` does, negated or not, with the type index as the pre-filter.
struct EntityTypesConditionTests {
    @Test func theStoreMatchesTheReferenceSemantics() async throws {
        let store = try memoryStore()
        let ns = QueryPlanTests.ns
        let entities = [
            Entity(id: "urn:a", types: [ns + "A"]), Entity(id: "urn:b", types: [ns + "B"]),
            Entity(id: "urn:ab", types: [ns + "A", ns + "B"]), Entity(id: "urn:c", types: [ns + "C"]),
        ]
        for entity in entities {
            _ = try await store.apply([EntityChange(id: entity.id) { _ in entity }], tenant: "types")
        }
        let isA = QueryExpression.entityTypes(.type(ns + "A"))
        let aOrB = QueryExpression.entityTypes(.or([.type(ns + "A"), .type(ns + "B")]))
        for (q, expected) in [
            (isA, ["urn:a", "urn:ab"]), (.not(isA), ["urn:b", "urn:c"]), (aOrB, ["urn:a", "urn:b", "urn:ab"]),
            (.and([.not(isA), .not(.entityTypes(.type(ns + "C")))]), ["urn:b"]),
        ] {
            var query = EntityQuery(q: q, limit: 10)
            query.count = true
            let page = try await store.query(query, tenant: "types")
            #expect(page.entities.map(\.id) == expected)
            #expect(page.totalCount == expected.count)
            #expect(entities.filter { query.matches($0) }.map(\.id) == expected)
        }
        let plan = try await store.explainQueryPlan(EntityQuery(q: isA), tenant: "types")
        #expect(plan.contains { $0.contains("entity_type") }, "plan: \(plan)")
    }
}
