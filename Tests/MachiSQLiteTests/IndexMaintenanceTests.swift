import Foundation
import GRDB
import MachiCore
import MachiStore
import Testing

@testable import MachiSQLite

/// The index tables always hold exactly the rows derived from the stored documents: after any sequence of
/// updates and deletes, and after the v3 migration rebuilt them from documents written by v2.
struct IndexMaintenanceTests {
    static let ns = "https://machi.example/ns#"

    static func sensor(_ number: Int, _ members: String) -> Entity {
        let text = """
            {"id": "urn:ngsi-ld:Sensor:\(number)", "type": ["\(ns)Sensor"], \(members)}
            """
        return try! Entity(storedForm: JSONParser.parse(text))
    }

    static let versions: [String] = [
        #""\#(ns)level": [{"type": "Property", "value": 3.5}], "\#(ns)name": [{"type": "Property", "value": "A"}]"#,
        #""\#(ns)level": [{"type": "Property", "value": [1, 1, 2]}], "\#(ns)flag": [{"type": "Property", "value": true}]"#,
        #""\#(ns)where": [{"type": "GeoProperty", "value": {"type": "Point", "coordinates": [137.9, 36.1]}}, {"type": "GeoProperty", "datasetId": "urn:d", "value": {"type": "Point", "coordinates": [137.95, 36.12]}}]"#,
        #""\#(ns)name": [{"type": "Property", "value": "B"}, {"type": "Property", "datasetId": "urn:d", "value": "B"}]"#,
    ]

    static func put(_ entity: Entity) -> EntityChange { EntityChange(id: entity.id) { _ in entity } }
    static func delete(_ id: String) -> EntityChange { EntityChange(id: id) { _ in nil } }

    /// Rows of every index table, as text, for comparing two databases.
    static func indexRows(_ store: SQLiteEntityStore, tenant: String) async throws -> [String: Int] {
        try #require(try await store.tableRowCounts(tenant: tenant))
    }

    @Test func updatesLeaveExactlyTheRowsOfTheLastVersion() async throws {
        let store = try SQLiteEntityStore(configuration: SQLiteStoreConfiguration(storage: .inMemory))
        let reference = try SQLiteEntityStore(configuration: SQLiteStoreConfiguration(storage: .inMemory))
        defer {
            try? store.close()
            try? reference.close()
        }
        // Every version replaces every other, in both directions.
        for (index, first) in Self.versions.enumerated() {
            for second in Self.versions {
                let id = index
                _ = try await store.apply([Self.put(Self.sensor(id, first))], tenant: "t")
                _ = try await store.apply([Self.put(Self.sensor(id, second))], tenant: "t")
            }
        }
        for (index, _) in Self.versions.enumerated() {
            _ = try await reference.apply([Self.put(Self.sensor(index, Self.versions.last!))], tenant: "t")
        }
        #expect(try await Self.indexRows(store, tenant: "t") == Self.indexRows(reference, tenant: "t"))

        // The old values no longer match; the new ones do.
        let level = AttributePath(attribute: Self.ns + "level")
        let old = EntityQuery(q: .term(QueryTerm(path: level, comparison: .equal(.number(3.5)))))
        #expect(try await store.query(old, tenant: "t").entities.isEmpty)
        let name = AttributePath(attribute: Self.ns + "name")
        let new = EntityQuery(q: .term(QueryTerm(path: name, comparison: .equal(.string("B")))))
        #expect(try await store.query(new, tenant: "t").entities.count == Self.versions.count)

        // Deleting everything leaves no index row behind (terms stay: they are a dictionary).
        _ = try await store.apply(
            (0..<Self.versions.count).map { Self.delete("urn:ngsi-ld:Sensor:\($0)") },
            tenant: "t"
        )
        let counts = try await Self.indexRows(store, tenant: "t")
        #expect(counts.filter { $0.value != 0 }.isEmpty, "rows left: \(counts)")
    }

    @Test func theV3MigrationRebuildsTheIndexesFromTheDocuments() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let entities = Self.versions.indices.map { Self.sensor($0, Self.versions[$0]) }

        // A default-tenant file as version 2 left it: documents and v1 index tables (left empty here: v3 drops
        // them and rebuilds from the documents alone).
        let file = directory.url.appendingPathComponent(TenantFileName.fileName(for: StoreTenant.defaultName)).path
        let queue = try DatabaseQueue(path: file)
        try Schema.migrator.migrate(queue, upTo: "v2-hosted-contexts")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO tenant (id, name) VALUES (1, ?)", arguments: [StoreTenant.defaultName])
            for entity in entities {
                try db.execute(
                    sql: "INSERT INTO entity (id, doc, created_at, modified_at) VALUES (?, ?, NULL, NULL)",
                    arguments: [entity.id, StoredEntityCodec.encode(entity)]
                )
            }
        }
        try queue.close()

        let store = try SQLiteEntityStore(configuration: SQLiteStoreConfiguration(storage: .directory(directory.url)))
        defer { try? store.close() }
        let reference = try SQLiteEntityStore(configuration: SQLiteStoreConfiguration(storage: .inMemory))
        defer { try? reference.close() }
        _ = try await reference.apply(entities.map(Self.put), tenant: StoreTenant.defaultName)

        var migrated = try await Self.indexRows(store, tenant: StoreTenant.defaultName)
        var expected = try await Self.indexRows(reference, tenant: StoreTenant.defaultName)
        // The counters are kept by writes, which the hand-made v2 file never had.
        for table in ["type_stat", "type_attr_stat"] {
            migrated[table] = nil
            expected[table] = nil
        }
        #expect(migrated == expected)
        let geo = GeoQuery(
            relation: .near(maxDistance: 100, minDistance: nil),
            geometry: .point(Position(longitude: 137.95, latitude: 36.12)),
            geoproperty: Self.ns + "where"
        )
        #expect(
            try await store.query(EntityQuery(geo: geo), tenant: StoreTenant.defaultName).entities.map(\.id) == [
                "urn:ngsi-ld:Sensor:2"
            ]
        )
        let types = EntityQuery(types: .type(Self.ns + "Sensor"))
        #expect(try await store.query(types, tenant: StoreTenant.defaultName).entities.count == entities.count)
    }
}
