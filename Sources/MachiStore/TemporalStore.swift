public import Foundation
public import MachiCore

/// Where the temporal evolution of entities lives: every attribute change recorded as an instance (by the entity
/// writes themselves, in their transaction), plus instances added through the temporal API.
public protocol TemporalStore: Sendable {
    /// Adds instances to the temporal representation of `entityId`, creating it (with `types`) if needed.
    /// - Returns: Whether the temporal representation was created.
    func appendInstances(
        entityId: String,
        types: [String],
        instances: [(name: String, attribute: Attribute)],
        tenant: String,
        at time: Date
    ) async throws -> Bool

    /// The temporal representation of one entity with the instances `temporal` may select: at least every instance
    /// of its `attributes` (all when `nil`) that `TemporalQuery.select` keeps (a store may return more).
    func temporalEntity(id: String, query temporal: TemporalQuery, tenant: String) async throws -> TemporalEntity?

    /// The temporal representations whose id and types match `query` (ids, idPattern, types), one page in
    /// creation order, each with the instances `temporal` may select (as `temporalEntity`), and the total.
    func temporalEntities(
        matching query: EntityQuery,
        temporal: TemporalQuery,
        tenant: String
    ) async throws -> (entities: [TemporalEntity], total: Int)

    /// Deletes the temporal representation and all its instances. `false` if there is none.
    func deleteTemporalEntity(id: String, tenant: String) async throws -> Bool

    /// Deletes the instances of one attribute: the default instance (no `datasetId`), one `datasetId`, or all
    /// (`deleteAll`). `false` if nothing matched.
    func deleteInstances(
        entityId: String,
        name: String,
        datasetId: String?,
        deleteAll: Bool,
        tenant: String
    )
        async throws -> Bool

    /// Deletes one instance. `false` if there is no such instance of that attribute.
    func deleteInstance(entityId: String, name: String, sequence: Int64, tenant: String) async throws -> Bool

    /// Replaces the members of one instance (a partial update merged by the caller). `false` if there is none.
    func updateInstance(
        entityId: String,
        name: String,
        sequence: Int64,
        attribute: Attribute,
        tenant: String,
        at time: Date
    )
        async throws -> Bool

    /// The retention sweep: in every tenant for which `cutoff` gives a time, deletes the instances recorded before
    /// it (in bounded transactions, so writes are not held up).
    /// - Returns: the number of instances deleted, by tenant (tenants with none left out).
    func deleteInstances(recordedBefore cutoff: @Sendable (_ tenant: String) -> Date?) async throws -> [String: Int]
}
