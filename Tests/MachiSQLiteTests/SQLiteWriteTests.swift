import Foundation
import MachiCore
import MachiSQLite
import MachiStore
import OrderedCollections
import Synchronization
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

    /// A batch runs without savepoints first; a change rejected after it wrote makes the store run the batch again
    /// with a savepoint per change. The others' history, audit records and notifications then exist once, not twice.
    @Test func aChangeRejectedAfterWritingLeavesTheOthersRecordedOnce() async throws {
        let failing = Sample.building(2)
        let store = try SQLiteEntityStore(
            configuration: SQLiteStoreConfiguration(storage: .inMemory),
            logger: SQLiteEntityStore.silentLogger,
            faults: SQLiteStoreFaults { id in
                if id == failing.id { throw NGSIError.badRequestData("rejected after writing its rows") }
            }
        )
        defer { try? store.close() }
        let building = Sample.building(1)
        _ = try await store.apply([Sample.create(building)], tenant: "t")
        let measures = EntityChange(
            id: building.id,
            apply: SQLiteStepTests.setTemperature(21),
            followingSteps: [SQLiteStepTests.setTemperature(22)]
        )
        let results = try await store.apply(
            [measures, Sample.create(failing), Sample.create(Sample.building(3))],
            tenant: "t"
        )
        #expect((try? results[0].get()) != nil)
        #expect(throws: NGSIError.badRequestData("")) { try results[1].get() }
        #expect((try? results[2].get()) != nil)

        let history = try #require(try await store.temporalEntity(id: building.id, query: TemporalQuery(), tenant: "t"))
        let values = history.instances[Sample.temperature]?.compactMap { $0.attribute.value?.numberValue }
        #expect(values?.sorted() == [20, 21, 22])
        #expect(try await store.temporalEntity(id: failing.id, query: TemporalQuery(), tenant: "t") == nil)
        let audit = try await store.auditRecords(matching: AuditQuery(), tenant: "t")
        #expect(audit.compactMap(\.target).sorted() == [building.id, building.id, Sample.building(3).id])
        #expect(try await store.verifyAudit(tenant: "t").isIntact)
        #expect(try await store.entity(id: failing.id, tenant: "t") == nil)
    }

    /// An in-memory store whose write transactions fail as a whole once they write the entity `id`.
    static func storeFailingTransactions(writing id: String) throws -> SQLiteEntityStore {
        struct DiskOnFire: Error {}
        return try SQLiteEntityStore(
            configuration: SQLiteStoreConfiguration(storage: .inMemory),
            logger: SQLiteEntityStore.silentLogger,
            faults: SQLiteStoreFaults { written in if written == id { throw DiskOnFire() } }
        )
    }

    @Test func aFailedTransactionFailsEveryCallerInIt() async throws {
        let doomed = Sample.building(13)
        let store = try Self.storeFailingTransactions(writing: doomed.id)
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

    /// The writer keeps the rows it committed (`WriterRowCache`); what a failed transaction wrote never reaches it,
    /// so the next change of the entity starts from the committed state.
    @Test func aFailedTransactionLeavesTheNextChangeTheCommittedEntity() async throws {
        let doomed = Sample.building(13)
        let store = try Self.storeFailingTransactions(writing: doomed.id)
        defer { try? store.close() }
        let building = Sample.building(0)
        _ = try await store.apply([Sample.create(building)], tenant: "t")
        let warm = EntityChange(id: building.id, apply: SQLiteStepTests.setTemperature(21))
        _ = try await store.apply([warm], tenant: "t")

        await #expect(throws: StoreError.self) {
            try await store.apply(
                [EntityChange(id: building.id, apply: SQLiteStepTests.setTemperature(99)), Sample.create(doomed)],
                tenant: "t"
            )
        }
        let results = try await store.apply(
            [EntityChange(id: building.id, apply: SQLiteStepTests.setTemperature(22))],
            tenant: "t"
        )
        let result = try #require(try results.first?.get())
        #expect(result.before?.attribute(Sample.temperature)?.value == .number(21))
        #expect(
            try await store.entity(id: building.id, tenant: "t")?.attribute(Sample.temperature)?.value == .number(22)
        )
    }

    /// The writer refreshes an entity's temporal row by the rowid it last used; that row may since have been deleted
    /// and its rowid taken by another entity, whose history must not receive the first one's instances.
    @Test func aTemporalRowidTakenByAnotherEntityIsNotWrittenThrough() async throws {
        let store = try memoryStore()
        defer { try? store.close() }
        let first = Sample.building(1)
        let second = Sample.building(2)
        _ = try await store.apply([Sample.create(first)], tenant: "t")
        _ = try await store.apply([EntityChange(id: first.id, apply: SQLiteStepTests.setTemperature(21))], tenant: "t")
        #expect(try await store.deleteTemporalEntity(id: first.id, tenant: "t"))
        _ = try await store.apply([Sample.create(second)], tenant: "t")  // takes the freed rowid
        _ = try await store.apply([EntityChange(id: first.id, apply: SQLiteStepTests.setTemperature(30))], tenant: "t")

        func temperatures(_ id: String) async throws -> [Double]? {
            try await store.temporalEntity(id: id, query: TemporalQuery(), tenant: "t")?.instances[Sample.temperature]?
                .compactMap { $0.attribute.value?.numberValue }.sorted()
        }
        #expect(try await temperatures(second.id) == [20])
        #expect(try await temperatures(first.id) == [30])
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

/// A change with several steps (how the IoT agent coalesces a device's measures).
struct SQLiteStepTests {
    static func setTemperature(_ value: Double) -> EntityChange.Step {
        { current in
            guard var entity = current else { throw NGSIError.notFound("missing") }
            entity.attributes[Sample.temperature] = [Attribute(members: ["type": "Property", "value": .number(value)])]
            return entity
        }
    }

    @Test func everyStepIsRecordedButTheEntityIsWrittenOnce() async throws {
        let store = try memoryStore()
        let building = Sample.building(1)
        _ = try await store.apply([Sample.create(building)], tenant: "")
        let change = EntityChange(
            id: building.id,
            apply: Self.setTemperature(21),
            followingSteps: [Self.setTemperature(22), Self.setTemperature(23)]
        )
        let results = try await store.apply([change], tenant: "")
        let result = try #require(try results.first?.get())
        #expect(result.before?.attribute(Sample.temperature)?.value == .number(20))
        #expect(result.after?.attribute(Sample.temperature)?.value == .number(23))
        #expect(
            try await store.entity(id: building.id, tenant: "")?.attribute(Sample.temperature)?.value == .number(23)
        )
        let history = try #require(try await store.temporalEntity(id: building.id, query: TemporalQuery(), tenant: ""))
        let values = history.instances[Sample.temperature]?.compactMap { $0.attribute.value?.numberValue }
        #expect(values?.sorted() == [20, 21, 22, 23])
    }

    /// 150 instances in one transaction: two full INSERTs of 64 rows and one of 22, with text, number and NULL
    /// parameters (`datasetId` and `observedAt` only on some rows).
    @Test func manyStepsAreRecordedWithEveryColumn() async throws {
        let store = try memoryStore()
        let building = Sample.building(3)
        _ = try await store.apply([Sample.create(building)], tenant: "")
        let steps: [EntityChange.Step] = (1...150).map { step in
            { current in
                guard var entity = current else { throw NGSIError.notFound("missing") }
                var members: JSONObject = ["type": "Property", "value": .number(Double(1000 + step))]
                if step.isMultiple(of: 3) { members["datasetId"] = "urn:ngsi-ld:Dataset:every-third" }
                if step.isMultiple(of: 2) {
                    let second = step % 60
                    let padding = second < 10 ? "0" : ""
                    members["observedAt"] = .string("2026-11-22T10:0\(step / 60):\(padding)\(second).000Z")
                }
                entity.attributes[Sample.temperature] = [Attribute(members: members)]
                return entity
            }
        }
        let change = EntityChange(id: building.id, apply: steps[0], followingSteps: Array(steps.dropFirst()))
        _ = try #require(try await store.apply([change], tenant: "").first?.get())
        let history = try #require(try await store.temporalEntity(id: building.id, query: TemporalQuery(), tenant: ""))
        let instances = try #require(history.instances[Sample.temperature]).map(\.attribute)
        #expect(instances.count == 151)  // the created entity's 20, then every step's
        for step in 1...150 {
            let instance = try #require(instances.first { $0.value?.numberValue == Double(1000 + step) })
            #expect(instance.datasetId == (step.isMultiple(of: 3) ? "urn:ngsi-ld:Dataset:every-third" : nil))
            #expect((instance.observedAt != nil) == step.isMultiple(of: 2))
        }
        #expect(instances.first { $0.value?.numberValue == 1150 }?.observedAt == "2026-11-22T10:02:30.000Z")
    }

    /// A change observer that records the value after every step it is shown.
    final class StepRecorder: ChangeObserver {
        let values = Mutex<[Double]>([])

        func outboxEntries(forStates states: [Entity?], tenant: String, at time: Date) -> [OutboxEntry] {
            let after = states.dropFirst().map { $0?.attribute(Sample.temperature)?.value?.numberValue ?? -1 }
            values.withLock { $0 += after }
            return []
        }

        func didCommitOutboxEntries(tenant: String) {}
    }

    /// Observers are given a change's states once, through `ChangeObservers`: every step, in order.
    @Test func observersSeeEveryStepInOrder() async throws {
        let store = try memoryStore()
        let building = Sample.building(4)
        _ = try await store.apply([Sample.create(building)], tenant: "")
        let recorder = StepRecorder()
        store.observeChanges(with: ChangeObservers([recorder]))
        let change = EntityChange(
            id: building.id,
            apply: Self.setTemperature(21),
            followingSteps: [Self.setTemperature(22), Self.setTemperature(23)]
        )
        _ = try await store.apply([change], tenant: "")
        #expect(recorder.values.withLock { $0 } == [21, 22, 23])
    }

    @Test func aFailingStepFailsTheWholeChange() async throws {
        let store = try memoryStore()
        let building = Sample.building(2)
        _ = try await store.apply([Sample.create(building)], tenant: "")
        let failing: EntityChange.Step = { _ in throw NGSIError.badRequestData("no") }
        let results = try await store.apply(
            [EntityChange(id: building.id, apply: Self.setTemperature(30), followingSteps: [failing])],
            tenant: ""
        )
        #expect(throws: NGSIError.badRequestData("")) { try results.first?.get() }
        #expect(
            try await store.entity(id: building.id, tenant: "")?.attribute(Sample.temperature)?.value == .number(20)
        )
    }
}
