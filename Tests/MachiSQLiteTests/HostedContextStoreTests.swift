import Foundation
import MachiCore
import MachiSQLite
import MachiStore
import Testing

/// The hosted @contexts of `/jsonldContexts` in the SQLite store: kept across restarts, deleted per tenant.
struct HostedContextStoreTests {
    static func record(_ id: String, tenant: String, term: String, at seconds: Double) -> HostedContextRecord {
        HostedContextRecord(
            id: id,
            tenant: tenant,
            document: (try? JSONParser.parse(#"{"@context": {"\#(term)": "urn:example:\#(term)"}}"#)) ?? .null,
            createdAt: Date(timeIntervalSince1970: seconds)
        )
    }

    @Test func savedContextsSurviveARestart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SQLiteStoreConfiguration(storage: .directory(directory.url))
        let first = Self.record("urn:ngsi-ld:context:1", tenant: StoreTenant.defaultName, term: "A1", at: 1_000.25)
        let second = Self.record("urn:ngsi-ld:context:2", tenant: "city-a", term: "B1", at: 2_000.5)

        let store = try SQLiteEntityStore(configuration: configuration, logger: SQLiteEntityStore.silentLogger)
        try await store.saveHostedContext(second)
        try await store.saveHostedContext(first)
        try store.close()

        let reopened = try SQLiteEntityStore(configuration: configuration, logger: SQLiteEntityStore.silentLogger)
        defer { try? reopened.close() }
        #expect(try await reopened.hostedContexts() == [first, second])
        // Hosting a context of another tenant does not create that tenant.
        #expect(try await reopened.tenantExists("city-a") == false)
    }

    @Test func deleteOnlyRemovesTheOwningTenantsContext() async throws {
        let store = try memoryStore()
        defer { try? store.close() }
        let record = Self.record("urn:ngsi-ld:context:x", tenant: "city-a", term: "X", at: 10)
        try await store.saveHostedContext(record)

        #expect(try await store.deleteHostedContext(id: record.id, tenant: "city-b") == false)
        #expect(try await store.hostedContexts() == [record])
        #expect(try await store.deleteHostedContext(id: record.id, tenant: "city-a"))
        #expect(try await store.hostedContexts().isEmpty)
        #expect(try await store.deleteHostedContext(id: record.id, tenant: "city-a") == false)
    }

    @Test func theKindIsKept() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SQLiteStoreConfiguration(storage: .directory(directory.url))
        var implicit = Self.record("urn:ngsi-ld:context:i", tenant: "", term: "I", at: 5)
        implicit.kind = .implicitlyCreated
        let hosted = Self.record("urn:ngsi-ld:context:h", tenant: "", term: "H", at: 6)
        let store = try SQLiteEntityStore(configuration: configuration, logger: SQLiteEntityStore.silentLogger)
        try await store.saveHostedContext(implicit)
        try await store.saveHostedContext(hosted)
        try store.close()

        let reopened = try SQLiteEntityStore(configuration: configuration, logger: SQLiteEntityStore.silentLogger)
        defer { try? reopened.close() }
        let records = try await reopened.hostedContexts()
        #expect(records == [implicit, hosted])
        #expect(records.map(\.kind) == [.implicitlyCreated, .hosted])
    }

    @Test func savingTheSameIdReplacesTheRecord() async throws {
        let store = try memoryStore()
        defer { try? store.close() }
        try await store.saveHostedContext(Self.record("urn:ngsi-ld:context:r", tenant: "", term: "Old", at: 1))
        let replacement = Self.record("urn:ngsi-ld:context:r", tenant: "", term: "New", at: 2)
        try await store.saveHostedContext(replacement)
        #expect(try await store.hostedContexts() == [replacement])
    }
}
