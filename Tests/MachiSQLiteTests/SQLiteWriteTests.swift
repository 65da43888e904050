import MachiCore
import MachiSQLite
import MachiStore
import Testing

/// Transactions, savepoints and group commit.
struct SQLiteWriteTests {
    @Test func concurrentAppliesAreGroupCommitted() async throws {
        try await withDirectoryStore { store, _ in
            _ = try await store.apply([Sample.create(Sample.building(-1))], tenant: "load")
            let before = store.committedTransactions
            let writers = 200
            let successes = try await withThrowingTaskGroup(of: Int.self) { group in
                for number in 0..<writers {
                    group.addTask {
                        let results = try await store.apply([Sample.create(Sample.building(number))], tenant: "load")
                        return results.filter { (try? $0.get()) != nil }.count
                    }
                }
                return try await group.reduce(0, +)
            }
            let transactions = store.committedTransactions - before
            #expect(successes == writers)
            #expect(transactions < writers / 2, "\(writers) applies took \(transactions) transactions")
            let page = try await store.query(EntityQuery(limit: 0, count: true), tenant: "load")
            #expect(page.totalCount == writers + 1)
        }
    }

    @Test func aRejectedChangeLeavesNoIndexRows() async throws {
        let failing = Sample.building(2)
        let faults = SQLiteStoreFaults { id in
            if id == failing.id { throw NGSIError.badRequestData("rejected after writing its rows") }
        }
        let store = try SQLiteEntityStore(
            configuration: SQLiteStoreConfiguration(storage: .inMemory),
            logger: SQLiteEntityStore.silentLogger,
            faults: faults
        )
        let reference = try memoryStore()
        defer {
            try? store.close()
            try? reference.close()
        }
        let results = try await store.apply(
            [Sample.create(Sample.building(1)), Sample.create(failing), Sample.create(Sample.building(3))],
            tenant: "t"
        )
        #expect((try? results[0].get()) != nil)
        #expect(throws: NGSIError.badRequestData("")) { try results[1].get() }
        #expect((try? results[2].get()) != nil)
        _ = try await reference.apply(
            [Sample.create(Sample.building(1)), Sample.create(Sample.building(3))],
            tenant: "t"
        )

        let counts = try #require(try await store.tableRowCounts(tenant: "t"))
        let expected = try #require(try await reference.tableRowCounts(tenant: "t"))
        #expect(counts == expected)
        #expect(counts["geo_box"] == 2)
        #expect((counts["attr_num"] ?? 0) + (counts["attr_str"] ?? 0) == 2)
        #expect(try await store.entity(id: failing.id, tenant: "t") == nil)
    }

    @Test func aFailedTransactionFailsEveryCallerInIt() async throws {
        struct DiskOnFire: Error {}
        let doomed = Sample.building(13)
        let faults = SQLiteStoreFaults { id in if id == doomed.id { throw DiskOnFire() } }
        let store = try SQLiteEntityStore(
            configuration: SQLiteStoreConfiguration(storage: .inMemory),
            logger: SQLiteEntityStore.silentLogger,
            faults: faults
        )
        defer { try? store.close() }
        _ = try await store.apply([Sample.create(Sample.building(0))], tenant: "t")

        await #expect(throws: StoreError.self) {
            try await store.apply([Sample.create(Sample.building(12)), Sample.create(doomed)], tenant: "t")
        }
        #expect(try await store.entity(id: Sample.building(12).id, tenant: "t") == nil)
        #expect(try await store.tableRowCounts(tenant: "t")?["entity"] == 1)
        // The store keeps working afterwards.
        let results = try await store.apply([Sample.create(Sample.building(14))], tenant: "t")
        #expect((try? results[0].get()) != nil)
    }

    @Test func aChangeMayNotAlterTheEntityId() async throws {
        let store = try memoryStore()
        defer { try? store.close() }
        let other = Sample.building(2)
        let results = try await store.apply([EntityChange(id: "urn:ngsi-ld:Building:1") { _ in other }], tenant: "t")
        #expect(throws: NGSIError.self) { try results[0].get() }
        #expect(try await store.entity(id: other.id, tenant: "t") == nil)
    }

    @Test func closingEndsTheStore() async throws {
        let store = try memoryStore()
        _ = try await store.apply([Sample.create(Sample.building(1))], tenant: "t")
        try store.close()
        await #expect(throws: StoreError(.closed, "")) {
            try await store.apply([Sample.create(Sample.building(2))], tenant: "t")
        }
        await #expect(throws: StoreError(.closed, "")) { try await store.tenantExists("t") }
    }
}
