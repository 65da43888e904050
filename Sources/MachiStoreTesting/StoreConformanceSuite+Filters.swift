import MachiCore
import MachiStore
import Testing

extension StoreConformanceSuite {
    /// `q` from a hand-built AST: numbers, strings, ranges, lists, arrays, datasetIds, relationships, Booleans,
    /// DateTimes (compared as instants), existence, `!=`, `;`, `|`, `!` and linked entities (`owner{Person:…}`,
    /// followed within the tenant).
    public func queryByQ() async throws {
        let tenant = freshTenant("q")
        let n = Fixture.Names.self
        let b1 = Fixture.building(
            1,
            temperature: 18,
            name: "Town Hall",
            extra: [
                (n.floors, [Fixture.property(3)]), (n.owner, [Fixture.relationship("urn:ngsi-ld:Person:1")]),
                (n.tags, [Fixture.property(["historic", "public"])]), (n.open, [Fixture.property(true)]),
                (Fixture.Names.inspected, [Fixture.property("2024-01-01T08:00:00+09:00")]),
            ]
        )
        let b2 = Fixture.building(
            2,
            temperature: 22.5,
            name: "Library",
            extra: [
                (n.floors, [Fixture.property(5)]), (n.tags, [Fixture.property(["public"])]),
                (n.open, [Fixture.property(false)]),
                (Fixture.Names.inspected, [Fixture.property("2024-01-01T01:00:00Z")]),
            ]
        )
        let b3 = Fixture.building(
            3,
            temperature: 30,
            name: "Market",
            extra: [(n.floors, [Fixture.property(2), Fixture.property(7, datasetId: "urn:ngsi-ld:Dataset:2")])]
        )
        let s1 = Fixture.entity(
            Fixture.id("Sensor", 1),
            types: [Fixture.Types.sensor],
            [(n.temperature, [Fixture.property("n/a")])]
        )
        let v1 = Fixture.entity(
            Fixture.id("Vehicle", 1),
            types: [Fixture.Types.vehicle],
            [(n.speed, [Fixture.property(40)])]
        )
        let p1 = Fixture.entity(
            "urn:ngsi-ld:Person:1",
            types: [Fixture.Types.person],
            [(n.name, [Fixture.property("Alice")])]
        )
        try await create([b1, b2, b3, s1, v1, p1], tenant: tenant)

        func term(_ name: String, _ comparison: QueryComparison?) -> QueryExpression {
            .term(QueryTerm(path: AttributePath(attribute: name), comparison: comparison))
        }
        func check(
            _ q: QueryExpression,
            _ expected: [Entity],
            sourceLocation: SourceLocation = #_sourceLocation
        )
            async throws
        {
            let page = try await store.query(EntityQuery(q: q, limit: 100, count: true), tenant: tenant)
            #expect(page.entities.map(\.id) == expected.map(\.id), "q: \(q)", sourceLocation: sourceLocation)
            #expect(page.totalCount == expected.count, "count of q: \(q)", sourceLocation: sourceLocation)
        }

        try await check(term(n.temperature, .greater(.number(20))), [b2, b3])
        try await check(term(n.temperature, .lessOrEqual(.number(22.5))), [b1, b2])
        try await check(term(n.temperature, .equal(.number(18))), [b1])
        try await check(term(n.temperature, .equal(.range(.number(18), .number(25)))), [b1, b2])
        try await check(term(n.temperature, .equal(.list([.number(18), .number(30)]))), [b1, b3])
        try await check(term(n.temperature, .equal(.string("n/a"))), [s1])
        try await check(term(n.temperature, .notEqual(.number(18))), [b2, b3, s1])
        try await check(term(n.name, .equal(.string("Library"))), [b2])
        try await check(term(n.name, .equal(.list([.string("Library"), .string("Market")]))), [b2, b3])
        try await check(term(n.name, .greater(.string("M"))), [b1, b3])
        try await check(term(n.name, .less(.string("B"))), [p1])
        try await check(term(n.name, .equal(.range(.string("Li"), .string("Ma")))), [b2])
        try await check(term(n.floors, .equal(.number(7))), [b3])
        try await check(term(n.floors, nil), [b1, b2, b3])
        try await check(term(n.tags, .equal(.string("historic"))), [b1])
        try await check(term(n.owner, .equal(.uri("urn:ngsi-ld:Person:1"))), [b1])
        try await check(term(n.open, .equal(.bool(true))), [b1])
        try await check(term(n.open, .equal(.bool(false))), [b2])
        // 2024-01-01T08:00:00+09:00 is 2023-12-31T23:00:00Z: earlier, although it sorts later as text.
        try await check(term(Fixture.Names.inspected, .less(.dateTime("2024-01-01T00:00:00Z"))), [b1])
        try await check(term(Fixture.Names.inspected, .greater(.dateTime("2024-01-01T00:00:00Z"))), [b2])
        try await check(.and([term(n.temperature, .greater(.number(20))), term(n.floors, .equal(.number(5)))]), [b2])
        try await check(
            .or([term(n.name, .equal(.string("Market"))), term(n.tags, .equal(.string("historic")))]),
            [b1, b3]
        )
        try await check(.or([term(n.speed, .less(.number(50))), term(n.floors, .greater(.number(4)))]), [b2, b3, v1])

        try await check(.and([term(n.floors, nil), .not(term(n.tags, nil))]), [b3])
        let alice = term(n.name, .equal(.string("Alice")))
        try await check(.linked(relationship: n.owner, entityTypes: [Fixture.Types.person], query: alice), [b1])
        try await check(.linked(relationship: n.owner, entityTypes: [Fixture.Types.building], query: alice), [])
        try await check(
            .linked(relationship: n.owner, entityTypes: [], query: term(n.name, .equal(.string("Bob")))),
            []
        )

        let typed = EntityQuery(types: .type(Fixture.Types.building), q: term(n.temperature, .greater(.number(20))))
        #expect(try await ids(typed, tenant: tenant) == [b2.id, b3.id])
    }

    /// Geo-queries from a hand-built `GeoQuery`: `near` (max and min distance) and `within`, following updates
    /// and deletes of the GeoProperty.
    public func geoQueries() async throws {
        let tenant = freshTenant("geo")
        let location = Fixture.Names.location
        func place(_ number: Int, _ longitude: Double, _ latitude: Double) -> Entity {
            Fixture.entity(
                Fixture.id("Landmark", number),
                types: [Fixture.Types.landmark],
                [(location, [Fixture.point(longitude: longitude, latitude: latitude)])]
            )
        }
        let station = place(1, 139.7671, 35.6812)  // Tokyo Station
        let palace = place(2, 139.7528, 35.6852)  // ~1.4 km away
        let shinjuku = place(3, 139.7003, 35.6896)  // ~6 km away
        let osaka = place(4, 135.5023, 34.6937)  // ~400 km away
        let nowhere = Fixture.entity(Fixture.id("Landmark", 5), types: [Fixture.Types.landmark])
        try await create([station, palace, shinjuku, osaka, nowhere], tenant: tenant)

        let origin = Geometry.point(Position(longitude: 139.7671, latitude: 35.6812))
        func near(max: Double? = nil, min: Double? = nil) -> GeoQuery {
            GeoQuery(relation: .near(maxDistance: max, minDistance: min), geometry: origin, geoproperty: location)
        }
        func check(
            _ geo: GeoQuery,
            _ expected: [Entity],
            sourceLocation: SourceLocation = #_sourceLocation
        )
            async throws
        {
            let page = try await store.query(EntityQuery(geo: geo, count: true), tenant: tenant)
            #expect(
                page.entities.map(\.id) == expected.map(\.id),
                "geo: \(geo.relation)",
                sourceLocation: sourceLocation
            )
            #expect(page.totalCount == expected.count, sourceLocation: sourceLocation)
        }
        try await check(near(max: 2_000), [station, palace])
        try await check(near(max: 10_000), [station, palace, shinjuku])
        try await check(near(min: 100_000), [osaka])
        try await check(near(max: 10_000, min: 1_000), [palace, shinjuku])
        let centralTokyo = Geometry.polygon([
            [
                Position(longitude: 139.74, latitude: 35.67), Position(longitude: 139.78, latitude: 35.67),
                Position(longitude: 139.78, latitude: 35.70), Position(longitude: 139.74, latitude: 35.70),
                Position(longitude: 139.74, latitude: 35.67),
            ]
        ])
        let within = GeoQuery(relation: .within, geometry: centralTokyo, geoproperty: location)
        try await check(within, [station, palace])
        let otherProperty = GeoQuery(relation: .within, geometry: centralTokyo, geoproperty: Fixture.Names.name)
        try await check(otherProperty, [])

        // Moving Shinjuku next to the station, and deleting the palace, must be reflected.
        _ = try await applyOne(Changes.replace(place(3, 139.7650, 35.6820)), tenant: tenant).get()
        _ = try await applyOne(Changes.delete(palace.id), tenant: tenant).get()
        try await check(near(max: 2_000), [station, shinjuku])
        try await check(within, [station, shinjuku])
        let typedAndNear = EntityQuery(
            types: .type(Fixture.Types.landmark),
            geo: near(max: 500_000),
            limit: 2,
            count: true
        )
        let page = try await store.query(typedAndNear, tenant: tenant)
        #expect(page.entities.map(\.id) == [station.id, shinjuku.id])
        #expect(page.totalCount == 3)
    }

    /// `typeSummaries` counts entities per type and lists attribute kinds, following updates and deletes.
    public func typeSummariesFollowWrites() async throws {
        let tenant = freshTenant("summaries")
        let n = Fixture.Names.self
        let full = Fixture.building(
            1,
            temperature: 20,
            name: "Full",
            extra: [
                (n.owner, [Fixture.relationship("urn:ngsi-ld:Person:1")]),
                (n.location, [Fixture.point(longitude: 139.7, latitude: 35.6)]),
            ]
        )
        let plain = Fixture.building(2, temperature: 21, name: "Plain")
        let sensor = Fixture.entity(
            Fixture.id("Sensor", 1),
            types: [Fixture.Types.sensor, Fixture.Types.landmark],
            [(n.temperature, [Fixture.property(5)])]
        )
        try await create([full, plain, sensor], tenant: tenant)

        func summaries() async throws -> [String: TypeSummary] {
            let list = try await store.typeSummaries(tenant: tenant)
            #expect(Set(list.map(\.type)).count == list.count, "one summary per type")
            return Dictionary(list.map { ($0.type, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let property: Set<String> = ["Property"]
        var now = try await summaries()
        #expect(now.count == 3)
        #expect(now[Fixture.Types.building]?.entityCount == 2)
        #expect(
            now[Fixture.Types.building]?.attributes
                == [n.temperature: property, n.name: property, n.owner: ["Relationship"], n.location: ["GeoProperty"]]
        )
        #expect(now[Fixture.Types.sensor]?.entityCount == 1)
        #expect(now[Fixture.Types.landmark]?.attributes == [n.temperature: property])

        // Drop owner and location from the full building; the sensor's temperature becomes a Relationship.
        _ = try await applyOne(Changes.replace(Fixture.building(1, temperature: 22, name: "Full")), tenant: tenant)
            .get()
        let relinked = Fixture.entity(
            sensor.id,
            types: sensor.types,
            [(n.temperature, [Fixture.relationship("urn:x")])]
        )
        _ = try await applyOne(Changes.replace(relinked), tenant: tenant).get()
        now = try await summaries()
        #expect(now[Fixture.Types.building]?.attributes == [n.temperature: property, n.name: property])
        #expect(now[Fixture.Types.sensor]?.attributes == [n.temperature: ["Relationship"]])

        _ = try await applyOne(Changes.delete(plain.id), tenant: tenant).get()
        now = try await summaries()
        #expect(now[Fixture.Types.building]?.entityCount == 1)
        _ = try await applyOne(Changes.delete(full.id), tenant: tenant).get()
        _ = try await applyOne(Changes.delete(sensor.id), tenant: tenant).get()
        #expect(try await summaries().isEmpty)
    }
}
