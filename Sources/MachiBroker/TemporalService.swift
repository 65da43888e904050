public import Foundation
public import MachiCore
public import MachiStore
import OrderedCollections

/// The temporal API's use cases (5.6.11–5.6.16, 5.7.3–5.7.4) over a `TemporalStore`.
public struct TemporalService: Sendable {
    let store: any TemporalStore
    let now: @Sendable () -> Date
    /// Filters personal data by consent on every read (the owner is read from the entity, or from its recorded
    /// `dataOwner` instances once it is deleted); `nil` serves everything.
    let personalData: (consents: ConsentService, entities: any EntityStore)?

    public init(
        store: any TemporalStore,
        personalData: (consents: ConsentService, entities: any EntityStore)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.personalData = personalData
        self.now = now
    }

    /// The temporal representations the caller may see, of those given.
    func visible(_ found: [TemporalEntity], in context: BrokerContext) async throws(NGSIError) -> [TemporalEntity] {
        guard let personalData else { return found }
        let guarding = try await personalData.consents.guardFor(context)
        // Owners are looked up only when something depends on them: the guard, or the audit of personal reads.
        if guarding.isUnrestricted, !personalData.consents.recordsReads { return found }
        var shown: [TemporalEntity] = []
        var reads: [PersonalDataRead] = []
        for temporal in found {
            let current = try await storeCall {
                try await personalData.entities.entity(id: temporal.id, tenant: context.storeTenant)
            }
            let owner =
                current.flatMap(PersonalDataGuard.owner(of:))
                ?? temporal.instances[PersonalDataGuard.ownerAttribute]?.lazy.compactMap {
                    $0.attribute.value?.stringValue
                }.first
            if let visible = guarding.visible(temporal, owner: owner) {
                shown.append(visible)
                let read = personalData.consents.personalRead(
                    of: temporal.id,
                    types: temporal.types,
                    owner: owner,
                    tenant: context.storeTenant
                )
                if let read { reads.append(read) }
            }
        }
        try await personalData.consents.recordReads(reads, in: context)
        return shown
    }

    /// Adds the payload's instances, creating the temporal representation if needed. Returns whether it was created.
    public func createOrUpdate(_ payload: TemporalPayload, in context: BrokerContext) async throws(NGSIError) -> Bool {
        try await storeCall {
            try await store.appendInstances(
                entityId: payload.id,
                types: payload.types,
                instances: payload.instances,
                tenant: context.storeTenant,
                at: now()
            )
        }
    }

    /// Adds instances to an existing temporal representation. Throws `ResourceNotFound` if there is none.
    public func addAttributes(
        to id: String,
        _ instances: [(name: String, attribute: Attribute)],
        in context: BrokerContext
    ) async throws(NGSIError) {
        let current = try await entity(id: id, query: Self.noInstances, in: context)
        _ = try await storeCall {
            try await store.appendInstances(
                entityId: id,
                types: current.types,
                instances: instances,
                tenant: context.storeTenant,
                at: now()
            )
        }
    }

    /// A query that reads no instance (to check that a temporal representation exists).
    static var noInstances: TemporalQuery {
        var query = TemporalQuery()
        query.attributes = []
        return query
    }

    /// One entity's temporal representation, with (at least) the instances `query` selects.
    public func entity(
        id: String,
        query: TemporalQuery,
        in context: BrokerContext
    ) async throws(NGSIError)
        -> TemporalEntity
    {
        guard
            let entity = try await storeCall({
                try await store.temporalEntity(id: id, query: query, tenant: context.storeTenant)
            })
        else { throw .notFound("No temporal representation of entity \(id)") }
        guard let visible = try await visible([entity], in: context).first else {
            throw .notFound("No temporal representation of entity \(id)")
        }
        return visible
    }

    /// The temporal representations matching `query`, one page, each with (at least) the instances `temporal`
    /// selects.
    public func entities(
        matching query: EntityQuery,
        temporal: TemporalQuery,
        in context: BrokerContext
    ) async throws(NGSIError) -> (entities: [TemporalEntity], total: Int) {
        let found = try await storeCall {
            try await store.temporalEntities(matching: query, temporal: temporal, tenant: context.storeTenant)
        }
        let shown = try await visible(found.entities, in: context)
        return (shown, found.total - (found.entities.count - shown.count))
    }

    public func delete(id: String, in context: BrokerContext) async throws(NGSIError) {
        let deleted = try await storeCall { try await store.deleteTemporalEntity(id: id, tenant: context.storeTenant) }
        guard deleted else { throw .notFound("No temporal representation of entity \(id)") }
    }

    public func deleteAttribute(
        entityId: String,
        name: String,
        datasetId: String?,
        deleteAll: Bool,
        in context: BrokerContext
    ) async throws(NGSIError) {
        _ = try await entity(id: entityId, query: Self.noInstances, in: context)
        let deleted = try await storeCall {
            try await store.deleteInstances(
                entityId: entityId,
                name: name,
                datasetId: datasetId,
                deleteAll: deleteAll,
                tenant: context.storeTenant
            )
        }
        guard deleted else { throw .notFound("The temporal entity \(entityId) has no such attribute") }
    }

    public func deleteInstance(
        entityId: String,
        name: String,
        instanceId: String,
        in context: BrokerContext
    ) async throws(NGSIError) {
        guard let sequence = AttributeInstance.sequence(of: instanceId) else {
            throw .notFound("No attribute instance \(instanceId)")
        }
        let deleted = try await storeCall {
            try await store.deleteInstance(
                entityId: entityId,
                name: name,
                sequence: sequence,
                tenant: context.storeTenant
            )
        }
        guard deleted else { throw .notFound("No attribute instance \(instanceId) of \(name) in \(entityId)") }
    }

    /// Merges `patch` (members of one instance) into the stored instance.
    public func updateInstance(
        entityId: String,
        name: String,
        instanceId: String,
        patch: Attribute,
        in context: BrokerContext
    ) async throws(NGSIError) {
        guard let sequence = AttributeInstance.sequence(of: instanceId) else {
            throw .notFound("No attribute instance \(instanceId)")
        }
        var instancesOfName = TemporalQuery()
        instancesOfName.attributes = [name]
        let current = try await entity(id: entityId, query: instancesOfName, in: context)
        guard let instance = current.instances[name]?.first(where: { $0.sequence == sequence }) else {
            throw .notFound("No attribute instance \(instanceId) of \(name) in \(entityId)")
        }
        var merged = instance.attribute
        for (member, value) in patch.members where member != "instanceId" { merged.members[member] = value }
        let updated = try await storeCall {
            try await store.updateInstance(
                entityId: entityId,
                name: name,
                sequence: sequence,
                attribute: merged,
                tenant: context.storeTenant,
                at: now()
            )
        }
        guard updated else { throw .notFound("No attribute instance \(instanceId)") }
    }
}
