import Foundation
import GRDB
import MachiCore
import MachiSQLite
import MachiStore
import Testing

/// Files, tenants and durability of the directory storage.
struct SQLiteStorageTests {
    /// A commit reaches the database file itself soon, not only its write-ahead log: checkpoints follow commits on a
    /// connection of their own (`WALCheckpointer`), long before the writer's own threshold of 10,000 pages.
    @Test func commitsAreCheckpointedIntoTheDatabaseFile() async throws {
        try await withDirectoryStore { store, directory in
            let building = Sample.building(1)
            _ = try await store.apply([Sample.create(building)], tenant: "")
            let file = directory.url.appendingPathComponent(TenantFileName.fileName(for: ""))
            var inFile = false
            for attempt in 0..<40 where !inFile {
                try await Task.sleep(for: .milliseconds(50))
                // The database file alone, without its log: what a checkpoint has copied into it.
                let copy = directory.url.appendingPathComponent("copy-\(attempt).sqlite")
                try FileManager.default.copyItem(at: file, to: copy)
                let queue = try DatabaseQueue(path: copy.path)
                let ids = try? await queue.read { try String.fetchAll($0, sql: "SELECT id FROM entity") }
                try queue.close()
                inFile = ids == [building.id]
            }
            #expect(inFile)
        }
    }

    @Test func dataSurvivesCloseAndReopen() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = SQLiteStoreConfiguration(storage: .directory(directory.url))
        let entity = Sample.building(1, temperature: 23)

        let first = try SQLiteEntityStore(configuration: configuration, logger: SQLiteEntityStore.silentLogger)
        _ = try await first.apply([Sample.create(entity)], tenant: StoreTenant.defaultName)
        _ = try await first.apply([Sample.create(entity)], tenant: "city-a")
        try first.close()
        await #expect(throws: StoreError(.closed, "")) { try await first.entity(id: entity.id, tenant: "city-a") }

        let second = try SQLiteEntityStore(configuration: configuration, logger: SQLiteEntityStore.silentLogger)
        defer { try? second.close() }
        #expect(try await second.tenantExists("city-a"))
        #expect(try await second.tenantExists("city-b") == false)
        #expect(try await second.entity(id: entity.id, tenant: StoreTenant.defaultName) == entity)
        #expect(try await second.entity(id: entity.id, tenant: "city-a") == entity)
        let geo = GeoQuery(
            relation: .near(maxDistance: 100, minDistance: nil),
            geometry: .point(Position(longitude: 139.7, latitude: 35.6)),
            geoproperty: Sample.location
        )
        let page = try await second.query(EntityQuery(geo: geo, count: true), tenant: "city-a")
        #expect(page.entities == [entity])
        #expect(try await second.typeSummaries(tenant: "city-a").map(\.entityCount) == [1])
    }

    @Test(
        "hostile tenant names stay inside the data directory, one file each",
        arguments: [
            "../x", "a/b", "..", ".", "/etc/passwd", "A", "a", "東京", "a%2Fb", "with space", "~x",
            String(repeating: "long-", count: 200), String(repeating: "x/", count: 300),
        ]
    )
    func hostileTenantName(_ tenant: String) async throws {
        try await withDirectoryStore { store, directory in
            let entity = Sample.building(1, temperature: Double(tenant.utf8.count))
            _ = try await store.apply([Sample.create(entity)], tenant: tenant)
            _ = try await store.apply([Sample.create(Sample.building(2))], tenant: StoreTenant.defaultName)
            let files = try directory.fileNames().filter { $0.hasSuffix(".sqlite") }
            #expect(files.count == 2, "files: \(files)")
            let name = TenantFileName.fileName(for: tenant)
            #expect(files.contains(name))
            #expect(name.utf8.count <= 255)
            #expect(!name.contains("/") && !name.hasPrefix("."))
            #expect(try await store.tenantExists(tenant))
            #expect(try await store.entity(id: entity.id, tenant: tenant) == entity)
            #expect(try await store.entity(id: entity.id, tenant: StoreTenant.defaultName) == nil)
        }
    }

    @Test func tenantFileNamesAreDistinct() {
        let tenants = [
            "", "default", "A", "a", "a/b", "a%2Fb", "a_b", "a-b", "東京", "..", String(repeating: "z", count: 500),
            String(repeating: "z", count: 501),
        ]
        let names = tenants.map(TenantFileName.fileName(for:))
        #expect(Set(names).count == tenants.count, "\(names)")
        #expect(TenantFileName.fileName(for: "") == "default.sqlite")
        #expect(TenantFileName.fileName(for: "city-1") == "tenant-city-1.sqlite")
        #expect(TenantFileName.fileName(for: "a/B") == "tenant-a%2F%42.sqlite")
    }

    @Test func readsAndRejectedWritesDoNotCreateTenants() async throws {
        try await withDirectoryStore { store, directory in
            #expect(try await store.entity(id: "urn:x", tenant: "ghost") == nil)
            #expect(try await store.query(EntityQuery(count: true), tenant: "ghost").totalCount == 0)
            let update = EntityChange(id: "urn:x") { current in
                guard let current else { throw NGSIError.notFound("urn:x") }
                return current
            }
            let results = try await store.apply([update], tenant: "ghost")
            #expect(throws: NGSIError.notFound("")) { try results[0].get() }
            #expect(try await store.tenantExists("ghost") == false)
            #expect(try directory.fileNames().filter { $0.hasSuffix(".sqlite") }.isEmpty)
        }
    }

    @Test func aDamagedFileIsReportedWithoutDatabaseText() async throws {
        try await withDirectoryStore { store, directory in
            let path = directory.url.appendingPathComponent(TenantFileName.fileName(for: "broken"))
            try Data(repeating: 0x42, count: 8192).write(to: path)
            do {
                _ = try await store.entity(id: "urn:x", tenant: "broken")
                Issue.record("reading a damaged file must fail")
            } catch let error as StoreError {
                #expect(error.code == .corrupt || error.code == .unavailable, "\(String(reflecting: error))")
                #expect(!error.description.lowercased().contains("sql"), "\(error.description)")
                #expect(!error.description.contains(directory.url.path))
                #expect(error.underlying != nil)
            }
        }
    }

    @Test func theDataDirectoryMustBeUsable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.url.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        #expect(throws: StoreError(.invalidConfiguration, "")) {
            try SQLiteEntityStore(
                configuration: SQLiteStoreConfiguration(storage: .directory(file)),
                logger: SQLiteEntityStore.silentLogger
            )
        }
    }
}
