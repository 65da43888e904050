import MachiCore
import MachiStore
import Testing

extension StoreConformanceSuite {
    /// Create, read, replace and delete one entity; results carry `before` and `after`.
    public func createReadUpdateDelete() async throws {
        let tenant = freshTenant("crud")
        let original = Fixture.building(1, temperature: 21, name: "Town Hall")
        let created = try await applyOne(Changes.create(original), tenant: tenant).get()
        #expect(created.before == nil)
        #expect(created.after == original)
        #expect(try await store.entity(id: original.id, tenant: tenant) == original)

        let updated = Fixture.building(1, temperature: 25.5, name: "Town Hall")
        let replaced = try await applyOne(Changes.replace(updated), tenant: tenant).get()
        #expect(replaced.before == original)
        #expect(replaced.after == updated)
        let read = try await store.entity(id: original.id, tenant: tenant)
        #expect(read?.attribute(Fixture.Names.temperature)?.value == .number(25.5))

        let deleted = try await applyOne(Changes.delete(original.id), tenant: tenant).get()
        #expect(deleted.before == updated)
        #expect(deleted.after == nil)
        #expect(try await store.entity(id: original.id, tenant: tenant) == nil)

        let again = try await applyOne(Changes.delete(original.id), tenant: tenant)
        #expect(throws: NGSIError.notFound("")) { try again.get() }
        #expect(try await store.entity(id: "urn:ngsi-ld:Building:none", tenant: tenant) == nil)
    }

    /// A create closure sees the existing entity and rejects it; the stored entity stays as it was.
    public func duplicateCreateIsRejected() async throws {
        let tenant = freshTenant("duplicate")
        let first = Fixture.building(1, temperature: 20, name: "First")
        try await create([first], tenant: tenant)
        let second = Fixture.building(1, temperature: 30, name: "Second")
        let result = try await applyOne(Changes.create(second), tenant: tenant)
        #expect(throws: NGSIError.alreadyExists("")) { try result.get() }
        #expect(try await store.entity(id: first.id, tenant: tenant) == first)
        let page = try await store.query(EntityQuery(count: true), tenant: tenant)
        #expect(page.totalCount == 1)
    }

    /// Changes of one call run in order, each on the state the earlier ones left.
    public func changeSeesEarlierChangesOfTheSameCall() async throws {
        let tenant = freshTenant("sequence")
        let entity = Fixture.building(1, temperature: 20, name: "A")
        let renamed = Fixture.building(1, temperature: 20, name: "B")
        let seen = EntityChange(id: entity.id) { current in
            guard current == entity else { throw NGSIError.badRequestData("did not see the earlier create") }
            return renamed
        }
        let results = try await store.apply([Changes.create(entity), seen, Changes.delete(entity.id)], tenant: tenant)
        try #require(results.count == 3)
        #expect(try results[0].get().after == entity)
        #expect(try results[1].get().before == entity)
        #expect(try results[2].get().before == renamed)
        #expect(try await store.entity(id: entity.id, tenant: tenant) == nil)
    }

    /// In one call, a failing change leaves no trace and does not affect the others.
    public func failedChangesAreIsolated() async throws {
        let tenant = freshTenant("isolation")
        let a = Fixture.building(1, temperature: 10, name: "A")
        let c = Fixture.building(3, temperature: 30, name: "C")
        let failingCreate = EntityChange(id: Fixture.id("Building", 2)) { _ in
            throw NGSIError.badRequestData("rejected on purpose")
        }
        let results = try await store.apply(
            [Changes.create(a), failingCreate, Changes.create(c), Changes.failing(a.id), Changes.create(a)],
            tenant: tenant
        )
        try #require(results.count == 5)
        #expect((try? results[0].get()) != nil)
        #expect(throws: NGSIError.badRequestData("")) { try results[1].get() }
        #expect((try? results[2].get()) != nil)
        #expect(throws: NGSIError.badRequestData("")) { try results[3].get() }
        #expect(throws: NGSIError.alreadyExists("")) { try results[4].get() }

        #expect(try await store.entity(id: Fixture.id("Building", 2), tenant: tenant) == nil)
        #expect(try await store.entity(id: a.id, tenant: tenant) == a)
        let page = try await store.query(EntityQuery(types: .type(Fixture.Types.building), count: true), tenant: tenant)
        #expect(page.entities.map(\.id) == [a.id, c.id])
        #expect(page.totalCount == 2)
        let summaries = try await store.typeSummaries(tenant: tenant)
        #expect(summaries.map(\.entityCount) == [2])
    }

    /// The same id in two tenants holds two entities; reads, queries and summaries never cross tenants.
    public func tenantsAreIsolated() async throws {
        let first = freshTenant("isolated-a")
        let second = freshTenant("isolated-b")
        let inFirst = Fixture.building(1, temperature: 1, name: "In first")
        let inSecond = Fixture.building(1, temperature: 2, name: "In second")
        let onlySecond = Fixture.entity(Fixture.id("Sensor", 1), types: [Fixture.Types.sensor])
        try await create([inFirst], tenant: first)
        try await create([inSecond, onlySecond], tenant: second)

        #expect(try await store.entity(id: inFirst.id, tenant: first) == inFirst)
        #expect(try await store.entity(id: inFirst.id, tenant: second) == inSecond)
        #expect(try await store.entity(id: onlySecond.id, tenant: first) == nil)
        #expect(try await ids(EntityQuery(), tenant: first) == [inFirst.id])
        #expect(try await ids(EntityQuery(), tenant: second) == [inSecond.id, onlySecond.id])
        let q = QueryExpression.term(
            QueryTerm(path: AttributePath(attribute: Fixture.Names.temperature), comparison: .equal(.number(2)))
        )
        #expect(try await ids(EntityQuery(q: q), tenant: first).isEmpty)
        #expect(try await store.typeSummaries(tenant: first).map(\.type) == [Fixture.Types.building])

        _ = try await applyOne(Changes.delete(inFirst.id), tenant: first)
        #expect(try await store.entity(id: inSecond.id, tenant: second) == inSecond)
    }

    /// The default tenant always exists; another exists after a successful write, and reads don't create it.
    public func tenantExistence() async throws {
        #expect(try await store.tenantExists(StoreTenant.defaultName))
        let tenant = freshTenant("existence")
        #expect(try await store.tenantExists(tenant) == false)
        #expect(try await store.entity(id: Fixture.id("Building", 1), tenant: tenant) == nil)
        let page = try await store.query(EntityQuery(count: true), tenant: tenant)
        #expect(page.entities.isEmpty)
        #expect(page.totalCount ?? 0 == 0)
        #expect(try await store.typeSummaries(tenant: tenant).isEmpty)
        #expect(try await store.tenantExists(tenant) == false)

        try await create([Fixture.building(1, temperature: 1, name: "First")], tenant: tenant)
        #expect(try await store.tenantExists(tenant))
        _ = try await applyOne(Changes.delete(Fixture.id("Building", 1)), tenant: tenant)
        #expect(try await store.tenantExists(tenant))
    }

    /// 100 concurrent single-entity writes all land.
    public func concurrentWriters() async throws {
        let tenant = freshTenant("concurrent")
        let count = 100
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for number in 0..<count {
                group.addTask {
                    let entity = Fixture.building(number, temperature: Double(number), name: "B\(number)")
                    return (try? await applyOne(Changes.create(entity), tenant: tenant).get()) != nil
                }
            }
            var successes = 0
            for try await success in group where success { successes += 1 }
            #expect(successes == count)
        }
        let page = try await store.query(EntityQuery(limit: 0, count: true), tenant: tenant)
        #expect(page.totalCount == count)
        let all = try await store.query(EntityQuery(limit: 1000), tenant: tenant)
        #expect(Set(all.entities.map(\.id)) == Set((0..<count).map { Fixture.id("Building", $0) }))
    }
}
