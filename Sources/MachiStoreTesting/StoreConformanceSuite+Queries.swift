import MachiCore
import MachiStore
import Testing

extension StoreConformanceSuite {
    /// `ids` selects any of the ids (an empty list nothing); `idPattern` searches the id.
    public func queryByIdsAndIdPattern() async throws {
        let tenant = freshTenant("ids")
        let entities = (1...5).map { Fixture.building($0, temperature: Double($0), name: "B\($0)") }
        try await create(entities, tenant: tenant)
        let wanted = [entities[3].id, entities[1].id, "urn:ngsi-ld:Building:missing"]
        #expect(try await ids(EntityQuery(ids: wanted), tenant: tenant) == [entities[1].id, entities[3].id])
        #expect(try await ids(EntityQuery(ids: []), tenant: tenant).isEmpty)
        #expect(
            try await ids(EntityQuery(idPattern: "Building:[24]$"), tenant: tenant) == [entities[1].id, entities[3].id]
        )
        #expect(try await ids(EntityQuery(idPattern: "^urn:ngsi-ld:Sensor"), tenant: tenant).isEmpty)
        let both = EntityQuery(ids: [entities[0].id, entities[1].id], idPattern: "2$", count: true)
        let page = try await store.query(both, tenant: tenant)
        #expect(page.entities.map(\.id) == [entities[1].id])
        #expect(page.totalCount == 1)
    }

    /// Type expressions: one type, `|` (or), `;` (and) over multi-typed entities, and `*`.
    public func queryByTypeExpressions() async throws {
        let tenant = freshTenant("types")
        let building = Fixture.entity(Fixture.id("Building", 1), types: [Fixture.Types.building])
        let both = Fixture.entity(Fixture.id("Building", 2), types: [Fixture.Types.building, Fixture.Types.landmark])
        let sensor = Fixture.entity(Fixture.id("Sensor", 1), types: [Fixture.Types.sensor])
        try await create([building, both, sensor], tenant: tenant)

        let buildings = TypeExpression.type(Fixture.Types.building)
        let landmarks = TypeExpression.type(Fixture.Types.landmark)
        let sensors = TypeExpression.type(Fixture.Types.sensor)
        #expect(try await ids(EntityQuery(types: buildings), tenant: tenant) == [building.id, both.id])
        #expect(try await ids(EntityQuery(types: .or([landmarks, sensors])), tenant: tenant) == [both.id, sensor.id])
        #expect(try await ids(EntityQuery(types: .and([buildings, landmarks])), tenant: tenant) == [both.id])
        #expect(try await ids(EntityQuery(types: .and([buildings, sensors])), tenant: tenant).isEmpty)
        let nested = TypeExpression.or([.and([buildings, landmarks]), sensors])
        #expect(try await ids(EntityQuery(types: nested), tenant: tenant) == [both.id, sensor.id])
        #expect(try await ids(EntityQuery(types: .type(Fixture.Types.vehicle)), tenant: tenant).isEmpty)
        #expect(try await ids(EntityQuery(types: .type("*")), tenant: tenant) == [building.id, both.id, sensor.id])
    }

    /// The `attrs` filter: entities with at least one of the attributes.
    public func queryByAttributeNames() async throws {
        let tenant = freshTenant("attrs")
        let withFloors = Fixture.building(
            1,
            temperature: 1,
            name: "A",
            extra: [(Fixture.Names.floors, [Fixture.property(3)])]
        )
        let plain = Fixture.building(2, temperature: 2, name: "B")
        let car = Fixture.entity(
            Fixture.id("Vehicle", 1),
            types: [Fixture.Types.vehicle],
            [(Fixture.Names.speed, [Fixture.property(50)])]
        )
        try await create([withFloors, plain, car], tenant: tenant)
        #expect(try await ids(EntityQuery(attributes: [Fixture.Names.floors]), tenant: tenant) == [withFloors.id])
        let either = EntityQuery(attributes: [Fixture.Names.speed, Fixture.Names.floors])
        #expect(try await ids(either, tenant: tenant) == [withFloors.id, car.id])
        let typed = EntityQuery(types: .type(Fixture.Types.building), attributes: [Fixture.Names.name])
        #expect(try await ids(typed, tenant: tenant) == [withFloors.id, plain.id])
        #expect(try await ids(EntityQuery(attributes: [Fixture.Names.owner]), tenant: tenant).isEmpty)
    }

    /// `limit`, `offset` and `count` page through matches in creation order; updates keep an entity's place.
    public func paginationCountAndStableOrder() async throws {
        let tenant = freshTenant("paging")
        let entities = (0..<25).map { Fixture.building($0, temperature: Double($0 % 5), name: "B\($0)") }
        try await create(Array(entities[0..<10]), tenant: tenant)
        for entity in entities[10..<25] { try await create([entity], tenant: tenant) }
        // Updating early entities must not move them.
        let changed = Fixture.building(0, temperature: 4, name: "B0 renamed")
        _ = try await applyOne(Changes.replace(changed), tenant: tenant).get()
        let order = entities.map(\.id)

        for (limit, offset) in [(10, 0), (10, 10), (10, 20), (7, 3), (5, 25), (3, 100)] {
            let page = try await store.query(EntityQuery(limit: limit, offset: offset, count: true), tenant: tenant)
            let expected = Array(order.dropFirst(offset).prefix(limit))
            #expect(page.entities.map(\.id) == expected, "limit \(limit) offset \(offset)")
            #expect(page.totalCount == 25, "limit \(limit) offset \(offset)")
        }
        let onlyCount = try await store.query(EntityQuery(limit: 0, count: true), tenant: tenant)
        #expect(onlyCount.entities.isEmpty)
        #expect(onlyCount.totalCount == 25)
        let noCount = try await store.query(EntityQuery(limit: 5), tenant: tenant)
        #expect(noCount.totalCount == nil)

        // The same with a filter that SQL may only pre-select (q), and with a type filter.
        let warm = QueryExpression.term(
            QueryTerm(
                path: AttributePath(attribute: Fixture.Names.temperature),
                comparison: .greaterOrEqual(.number(3))
            )
        )
        let warmOrder = zip(entities, order).filter { ($0.0.id == changed.id ? 4 : $0.0.attributeNumber) >= 3 }.map(\.1)
        for (limit, offset) in [(4, 0), (4, 4), (100, 2)] {
            let query = EntityQuery(
                types: .type(Fixture.Types.building),
                q: warm,
                limit: limit,
                offset: offset,
                count: true
            )
            let page = try await store.query(query, tenant: tenant)
            #expect(
                page.entities.map(\.id) == Array(warmOrder.dropFirst(offset).prefix(limit)),
                "q limit \(limit) offset \(offset)"
            )
            #expect(page.totalCount == warmOrder.count)
        }
        let repeated = try await ids(EntityQuery(limit: 25), tenant: tenant)
        #expect(repeated == order)
    }
}

extension Entity {
    /// The temperature of a fixture building.
    fileprivate var attributeNumber: Double {
        attribute(Fixture.Names.temperature)?.value?.numberValue ?? -1
    }
}
