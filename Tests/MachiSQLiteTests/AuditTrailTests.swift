import Foundation
import GRDB
import MachiCore
import MachiSQLite
import MachiStore
import Testing

struct AuditTrailTests {
    static let alice = AuditContext(
        actor: AuditActor(subject: "urn:machi:person:alice", kind: "person", clientId: "portal"),
        requestId: "req-1",
        purpose: "maintenance"
    )

    static func update(_ id: String, temperature: Double) -> EntityChange {
        EntityChange(id: id) { current in
            guard current != nil else { throw NGSIError.notFound(id) }
            return Sample.building(Int(id.split(separator: ":").last!)!, temperature: temperature)
        }
    }

    static func delete(_ id: String) -> EntityChange {
        EntityChange(id: id) { current in
            guard current != nil else { throw NGSIError.notFound(id) }
            return nil
        }
    }

    @Test func committedChangesAppendOneRecordEachAndFailedOnesNone() async throws {
        try await withDirectoryStore { store, _ in
            let id = Sample.building(1).id
            let results = try await store.apply(
                [
                    Sample.create(Sample.building(1)), Sample.create(Sample.building(1)),
                    Self.update(id, temperature: 30),
                ],
                tenant: "shiojiri",
                origin: Self.alice
            )
            #expect(results.map { (try? $0.get()) != nil } == [true, false, true])
            _ = try await store.apply([Self.delete(id)], tenant: "shiojiri", origin: .unattributed)
            let records = try await store.auditRecords(matching: AuditQuery(), tenant: "shiojiri")
            #expect(records.map(\.sequence) == [3, 2, 1])
            #expect(records.map(\.action) == ["entity.delete", "entity.update", "entity.create"])
            #expect(records.allSatisfy { $0.target == id && $0.tenant == "shiojiri" })
            #expect(records[2].actor == Self.alice.actor)
            #expect(records[2].requestId == "req-1")
            #expect(records[2].purpose == "maintenance")
            #expect(records[0].actor == AuditContext.unattributed.actor)
            let verification = try await store.verifyAudit(tenant: "shiojiri")
            #expect(verification.isIntact)
            #expect(verification.recordsChecked == 3)
            #expect(try await store.auditRecords(matching: AuditQuery(), tenant: "").isEmpty)
        }
    }

    @Test func groupCommittedWritesFormOneUnbrokenChain() async throws {
        try await withDirectoryStore { store, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for number in 1...60 {
                    group.addTask {
                        var origin = Self.alice
                        origin.requestId = "req-\(number)"
                        _ = try await store.apply([Sample.create(Sample.building(number))], tenant: "", origin: origin)
                    }
                }
                try await group.waitForAll()
            }
            let verification = try await store.verifyAudit(tenant: "")
            #expect(verification.isIntact)
            #expect(verification.recordsChecked == 60)
            let records = try await store.auditRecords(matching: AuditQuery(limit: 100), tenant: "")
            #expect(Set(records.compactMap(\.requestId)).count == 60)
        }
    }

    @Test func aFailedTransactionLeavesNoRecordAndTheChainGoesOn() async throws {
        let failing = "urn:ngsi-ld:Building:2"
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteEntityStore(
            configuration: SQLiteStoreConfiguration(storage: .directory(directory.url)),
            logger: SQLiteEntityStore.silentLogger,
            faults: SQLiteStoreFaults(afterWrite: { id in
                if id == failing { throw CancellationError() }
            })
        )
        defer { try? store.close() }
        _ = try await store.apply([Sample.create(Sample.building(1))], tenant: "", origin: Self.alice)
        await #expect(throws: StoreError.self) {
            try await store.apply([Sample.create(Sample.building(3)), Sample.create(Sample.building(2))], tenant: "")
        }
        _ = try await store.apply([Sample.create(Sample.building(4))], tenant: "", origin: Self.alice)
        let records = try await store.auditRecords(matching: AuditQuery(), tenant: "")
        #expect(records.map(\.target) == ["urn:ngsi-ld:Building:4", "urn:ngsi-ld:Building:1"])
        #expect(records.map(\.sequence) == [2, 1])
        #expect(try await store.verifyAudit(tenant: "").isIntact)
    }

    @Test func subscriptionProvisioningAndContextWritesAreRecorded() async throws {
        let store = try memoryStore()
        defer { try? store.close() }
        let subscription = SubscriptionRecord(id: "urn:sub:1", document: ["id": "urn:sub:1"])
        try await store.createSubscription(subscription, tenant: "", origin: Self.alice)
        _ = try await store.updateSubscription(
            id: "urn:sub:1",
            document: ["id": "urn:sub:1"],
            tenant: "",
            origin: Self.alice
        )
        _ = try await store.deleteSubscription(id: "urn:sub:1", tenant: "", origin: Self.alice)
        _ = try await store.deleteSubscription(id: "urn:sub:1", tenant: "", origin: Self.alice)
        let device = ProvisioningRecord(kind: .device, key: "/|d1", document: ["device_id": "d1"])
        _ = try await store.insertProvisioningRecord(device, tenant: "", origin: Self.alice)
        _ = try await store.insertProvisioningRecord(device, tenant: "", origin: Self.alice)
        _ = try await store.deleteProvisioningRecord(kind: .device, key: "/|d1", tenant: "", origin: Self.alice)
        let context = HostedContextRecord(
            id: "urn:ctx:1",
            tenant: "okaya",
            document: ["@context": [:]],
            createdAt: Date()
        )
        try await store.saveHostedContext(context, origin: Self.alice)
        let records = try await store.auditRecords(matching: AuditQuery(), tenant: "")
        #expect(
            records.reversed().map { "\($0.action) \($0.target ?? "")" } == [
                "subscription.create urn:sub:1", "subscription.update urn:sub:1", "subscription.delete urn:sub:1",
                "iot.create device:/|d1", "iot.delete device:/|d1", "context.create urn:ctx:1",
            ]
        )
        #expect(records.first?.tenant == "okaya")
        #expect(try await store.verifyAudit(tenant: "").isIntact)
    }

    @Test func readsOfPersonalDataMakeTheOwnersAccessLog() async throws {
        let store = try memoryStore()
        defer { try? store.close() }
        _ = try await store.apply([Sample.create(Sample.building(1))], tenant: "", origin: Self.alice)
        try await store.recordReads(
            [
                PersonalDataRead(entityId: "urn:a", owner: "urn:machi:person:bob"),
                PersonalDataRead(entityId: "urn:b", owner: "urn:machi:person:carol"),
                PersonalDataRead(entityId: "urn:c", owner: "urn:machi:person:bob"),
            ],
            context: Self.alice,
            tenant: ""
        )
        let bob = try await store.auditRecords(matching: AuditQuery(dataOwner: "urn:machi:person:bob"), tenant: "")
        #expect(bob.map(\.target) == ["urn:c", "urn:a"])
        #expect(bob.allSatisfy { $0.action == "personal.read" && $0.purpose == "maintenance" })
        let page = try await store.auditRecords(
            matching: AuditQuery(action: "personal.read", limit: 1, offset: 1),
            tenant: ""
        )
        #expect(page.map(\.target) == ["urn:b"])
        let byActor = try await store.auditRecords(matching: AuditQuery(actor: "urn:machi:person:alice"), tenant: "")
        #expect(byActor.count == 4)
        let future = try await store.auditRecords(matching: AuditQuery(from: Date().addingTimeInterval(60)), tenant: "")
        #expect(future.isEmpty)
        let past = try await store.auditRecords(matching: AuditQuery(to: Date().addingTimeInterval(60)), tenant: "")
        #expect(past.count == 4)
    }

    @Test func noRecordsWhenTheTrailIsOff() async throws {
        let off: (inout SQLiteStoreConfiguration) -> Void = { $0.recordsAudit = false }
        try await withDirectoryStore(configure: off) { store, _ in
            _ = try await store.apply([Sample.create(Sample.building(1))], tenant: "", origin: Self.alice)
            #expect(try await store.auditRecords(matching: AuditQuery(), tenant: "").isEmpty)
        }
    }

    @Test func theApplicationCannotUpdateOrDeleteRecords() async throws {
        try await withDirectoryStore { store, directory in
            _ = try await store.apply([Sample.create(Sample.building(1))], tenant: "", origin: Self.alice)
            try store.close()
            let queue = try DatabaseQueue(path: directory.url.appendingPathComponent("default.sqlite").path)
            defer { try? queue.close() }
            #expect(throws: DatabaseError.self) {
                try queue.write { db in try db.execute(sql: "UPDATE audit_record SET actor = 'x'") }
            }
            #expect(throws: DatabaseError.self) {
                try queue.write { db in try db.execute(sql: "DELETE FROM audit_record") }
            }
        }
    }

    @Test func aSystemAuditLogKeepsItsOwnChain() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("identity.sqlite")
        let log = try SQLiteAuditLog(file: file)
        try await log.append(Self.alice.event(.signIn, target: nil, tenant: ""), tenant: "")
        try await log.append([Self.alice.event(.tokenIssue, target: "portal", tenant: "okaya")], tenant: "okaya")
        let records = try await log.auditRecords(matching: AuditQuery(), tenant: "")
        #expect(records.map(\.action) == ["token.issue", "signin"])
        #expect(try await log.verifyAudit(tenant: "").recordsChecked == 2)
        try log.close()
        let reopened = try SQLiteAuditLog(file: file)
        try await reopened.append(Self.alice.event(.consentGrant, target: nil, tenant: ""), tenant: "")
        try reopened.close()
        let verification = try #require(try SQLiteAuditFiles.verify(file: file))
        #expect(verification.isIntact && verification.recordsChecked == 3)
    }
}
