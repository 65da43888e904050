import MachiCore
public import MachiStore
import Testing

/// The behaviour every `EntityStore` must show, as one reusable suite of checks (modelled on swift-configuration's
/// `ProviderCompatTest`).
///
/// Run it from a test of each store implementation:
///
/// ```swift
/// @Test func conformance() async throws {
///     let store = try SQLiteEntityStore(configuration: .init(storage: .inMemory))
///     try await StoreConformanceSuite(store: store).run()
/// }
/// ```
///
/// Failures are recorded with Swift Testing (`#expect`, `#require`), so they show up in the calling test with the
/// values involved. Every check works in tenants of its own, named `conformance-<check>-<random>`, so checks may
/// share one store and run in any order (or concurrently). Only `tenantExistence` also looks at the default tenant,
/// without writing to it.
///
/// The checks use expanded names under `https://machi.example/ns#`.
public struct StoreConformanceSuite: Sendable {
    /// The store under test.
    public let store: any EntityStore

    /// Creates the suite for `store`.
    public init(store: any EntityStore) {
        self.store = store
    }

    /// Runs every check, one after another.
    /// - Throws: The first error a store call throws unexpectedly; failed expectations are recorded as issues.
    public func run() async throws {
        try await createReadUpdateDelete()
        try await duplicateCreateIsRejected()
        try await changeSeesEarlierChangesOfTheSameCall()
        try await failedChangesAreIsolated()
        try await tenantsAreIsolated()
        try await tenantExistence()
        try await queryByIdsAndIdPattern()
        try await queryByTypeExpressions()
        try await queryByAttributeNames()
        try await paginationCountAndStableOrder()
        try await queryByQ()
        try await geoQueries()
        try await typeSummariesFollowWrites()
        try await concurrentWriters()
    }

    /// A tenant no other check (or earlier run) uses.
    func freshTenant(_ check: String) -> String {
        "conformance-\(check)-\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// Applies one change and returns its result.
    func applyOne(_ change: EntityChange, tenant: String) async throws -> Result<EntityChangeResult, NGSIError> {
        let results = try await store.apply([change], tenant: tenant)
        try #require(results.count == 1, "apply must return one result per change")
        return results[0]
    }

    /// Creates `entities` in one call and requires every create to succeed.
    func create(_ entities: [Entity], tenant: String) async throws {
        let results = try await store.apply(entities.map(Changes.create), tenant: tenant)
        try #require(results.count == entities.count, "apply must return one result per change")
        for (entity, result) in zip(entities, results) {
            if case .failure(let error) = result {
                Issue.record("creating \(entity.id) failed: \(error)")
            }
        }
    }

    /// The ids of a query's page, in order.
    func ids(_ query: EntityQuery, tenant: String) async throws -> [String] {
        try await store.query(query, tenant: tenant).entities.map(\.id)
    }
}

/// Common change closures, written the way the broker writes them.
enum Changes {
    /// Create: rejects an existing entity with `AlreadyExists`.
    static func create(_ entity: Entity) -> EntityChange {
        EntityChange(id: entity.id) { current in
            if current != nil { throw NGSIError.alreadyExists("entity \(entity.id) already exists") }
            return entity
        }
    }

    /// Replace: requires an existing entity.
    static func replace(_ entity: Entity) -> EntityChange {
        EntityChange(id: entity.id) { current in
            guard current != nil else { throw NGSIError.notFound("entity \(entity.id) not found") }
            return entity
        }
    }

    /// Delete: requires an existing entity.
    static func delete(_ id: String) -> EntityChange {
        EntityChange(id: id) { current in
            guard current != nil else { throw NGSIError.notFound("entity \(id) not found") }
            return nil
        }
    }

    /// A change that always fails with `BadRequestData`.
    static func failing(_ id: String) -> EntityChange {
        EntityChange(id: id) { _ in throw NGSIError.badRequestData("rejected on purpose") }
    }
}
