import MachiSQLite
import MachiStoreTesting
import Testing

/// The shared `StoreConformanceSuite` on both SQLite storages: in-memory (`DatabaseQueue`) and a temporary
/// directory (`DatabasePool` in WAL mode, one file per tenant).
struct ConformanceTests {
    enum Storage: String, CaseIterable, Sendable {
        case memory
        case directory
    }

    enum Check: String, CaseIterable, Sendable {
        case createReadUpdateDelete, duplicateCreateIsRejected, changeSeesEarlierChangesOfTheSameCall
        case failedChangesAreIsolated, tenantsAreIsolated, tenantExistence, queryByIdsAndIdPattern
        case queryByTypeExpressions, queryByAttributeNames, paginationCountAndStableOrder, queryByQ, geoQueries
        case typeSummariesFollowWrites, concurrentWriters

        func run(_ suite: StoreConformanceSuite) async throws {
            switch self {
            case .createReadUpdateDelete: try await suite.createReadUpdateDelete()
            case .duplicateCreateIsRejected: try await suite.duplicateCreateIsRejected()
            case .changeSeesEarlierChangesOfTheSameCall: try await suite.changeSeesEarlierChangesOfTheSameCall()
            case .failedChangesAreIsolated: try await suite.failedChangesAreIsolated()
            case .tenantsAreIsolated: try await suite.tenantsAreIsolated()
            case .tenantExistence: try await suite.tenantExistence()
            case .queryByIdsAndIdPattern: try await suite.queryByIdsAndIdPattern()
            case .queryByTypeExpressions: try await suite.queryByTypeExpressions()
            case .queryByAttributeNames: try await suite.queryByAttributeNames()
            case .paginationCountAndStableOrder: try await suite.paginationCountAndStableOrder()
            case .queryByQ: try await suite.queryByQ()
            case .geoQueries: try await suite.geoQueries()
            case .typeSummariesFollowWrites: try await suite.typeSummariesFollowWrites()
            case .concurrentWriters: try await suite.concurrentWriters()
            }
        }
    }

    @Test("conformance check", arguments: Storage.allCases, Check.allCases)
    func conformance(storage: Storage, check: Check) async throws {
        switch storage {
        case .memory:
            let store = try memoryStore()
            defer { try? store.close() }
            try await check.run(StoreConformanceSuite(store: store))
        case .directory:
            try await withDirectoryStore { store, _ in
                try await check.run(StoreConformanceSuite(store: store))
            }
        }
    }

    @Test("whole suite on one shared store")
    func wholeSuiteOnOneStore() async throws {
        try await withDirectoryStore { store, _ in
            try await StoreConformanceSuite(store: store).run()
        }
    }
}
