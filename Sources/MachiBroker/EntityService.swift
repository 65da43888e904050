public import Foundation
public import MachiCore
public import MachiStore

/// The NGSI-LD entity use cases on top of an `EntityStore`: every write is one `EntityChange` whose rules
/// (MachiCore's `Entity` update semantics) run inside the store's transaction.
public struct EntityService: Sendable {
    let store: any EntityStore
    let now: @Sendable () -> Date
    /// Filters personal data by consent on every read; `nil` serves everything (Machi's own components).
    let consents: ConsentService?

    public init(
        store: any EntityStore,
        consents: ConsentService? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.consents = consents
        self.now = now
    }

    /// The guard for the reads of one request.
    func personalDataGuard(_ context: BrokerContext) async throws(NGSIError) -> PersonalDataGuard {
        try await consents?.guardFor(context) ?? .unrestricted
    }

    /// The current timestamp text for `createdAt`/`modifiedAt`.
    public func timestamp() -> String { DateTimeText.format(now()) }

    // MARK: Reads

    /// Retrieve Entity, as the caller may see it (personal data only with consent).
    /// - Throws: `ResourceNotFound` when the entity (or the tenant) does not exist, or the caller may not see it.
    public func entity(id: String, in context: BrokerContext) async throws(NGSIError) -> Entity {
        try await requireTenant(context)
        guard let entity = try await storeCall({ try await store.entity(id: id, tenant: context.storeTenant) }),
            let visible = try await personalDataGuard(context).visible(entity)
        else {
            throw .notFound("Entity \(id) not found")
        }
        try await consents?.recordReads(of: [visible], in: context)
        return visible
    }

    /// Query Entities: only what the caller may see (personal data only with consent).
    public func query(_ query: EntityQuery, in context: BrokerContext) async throws(NGSIError) -> EntityPage {
        try await requireTenant(context)
        let guarding = try await personalDataGuard(context)
        var page = try await storeCall { try await store.query(guarding.restrict(query), tenant: context.storeTenant) }
        if !guarding.isUnrestricted { page.entities = page.entities.compactMap(guarding.visible) }
        try await consents?.recordReads(of: page.entities, in: context)
        return page
    }

    /// The types and attributes present (for `/types` and `/attributes`).
    public func typeSummaries(in context: BrokerContext) async throws(NGSIError) -> [TypeSummary] {
        try await requireTenant(context)
        return try await storeCall { try await store.typeSummaries(tenant: context.storeTenant) }
    }

    /// Throws `NonexistentTenant`-as-404 when a named tenant has never been written to.
    public func requireTenant(_ context: BrokerContext) async throws(NGSIError) {
        guard let tenant = context.tenant else { return }
        let exists = try await storeCall { try await store.tenantExists(tenant) }
        guard exists else { throw NGSIError(.nonexistentTenant, "Tenant \(tenant) does not exist") }
    }

    // MARK: Writes

    /// Applies changes in one transaction; each change succeeds or fails on its own.
    public func apply(
        _ changes: [EntityChange],
        in context: BrokerContext
    ) async throws(NGSIError)
        -> [Result<EntityChangeResult, NGSIError>]
    {
        try await storeCall { try await store.apply(changes, tenant: context.storeTenant, origin: context.audit) }
    }

    /// Applies one change and returns its result, or throws its error.
    public func applyOne(
        _ change: EntityChange,
        in context: BrokerContext
    ) async throws(NGSIError) -> EntityChangeResult {
        let results = try await apply([change], in: context)
        switch results.first {
        case .success(let result)?: return result
        case .failure(let error)?: throw error
        case nil: throw NGSIError(.internalError, "The store returned no result")
        }
    }

    /// Create Entity.
    public func create(_ entity: Entity, in context: BrokerContext) async throws(NGSIError) {
        _ = try await applyOne(Self.creation(entity), in: context)
    }

    /// Delete Entity.
    public func delete(id: String, in context: BrokerContext) async throws(NGSIError) {
        try await requireTenant(context)
        _ = try await applyOne(Self.deletion(id: id), in: context)
    }

    /// A change that creates `entity`, failing with `AlreadyExists` if its id is taken.
    public static func creation(_ entity: Entity) -> EntityChange {
        EntityChange(id: entity.id) { existing in
            if existing != nil { throw NGSIError.alreadyExists("Entity \(entity.id) already exists") }
            return entity
        }
    }

    /// A change that deletes an entity, failing with `ResourceNotFound` if there is none.
    public static func deletion(id: String) -> EntityChange {
        EntityChange(id: id) { existing in
            guard existing != nil else { throw NGSIError.notFound("Entity \(id) not found") }
            return nil
        }
    }

    /// A change that runs `body` on an existing entity, failing with `ResourceNotFound` if there is none.
    public static func modification(
        id: String,
        _ body: @escaping @Sendable (inout Entity) throws -> Void
    ) -> EntityChange {
        EntityChange(id: id) { existing in
            guard var entity = existing else { throw NGSIError.notFound("Entity \(id) not found") }
            try body(&entity)
            return entity
        }
    }
}
