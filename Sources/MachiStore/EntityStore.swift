public import MachiCore

/// A change to one entity, applied inside the store's write transaction.
///
/// `apply` gets the stored entity (or `nil` if there is none) and returns the entity to store
/// (or `nil` to delete it), or throws an `NGSIError` to reject this change alone.
/// It must be pure: the store may call it again if it retries the transaction.
///
/// `followingSteps` run after `apply`, each on the previous step's result: the store writes the entity once, with
/// the last result, but records every step as a change of its own (an attribute instance per step in the temporal
/// store, subscription matching per step). The IoT agent coalesces a device's measures this way. If any step
/// throws, the whole change fails.
public struct EntityChange: Sendable {
    public typealias Step = @Sendable (Entity?) throws -> Entity?

    public var id: String
    public var apply: Step
    public var followingSteps: [Step]

    public init(id: String, apply: @escaping Step, followingSteps: [Step] = []) {
        self.id = id
        self.apply = apply
        self.followingSteps = followingSteps
    }

    /// Every step, `apply` first.
    public var steps: [Step] { [apply] + followingSteps }
}

/// What a change did: the entity before and after (both `nil` never happens for a success).
public struct EntityChangeResult: Sendable {
    public var before: Entity?
    public var after: Entity?

    public init(before: Entity?, after: Entity?) {
        self.before = before
        self.after = after
    }
}

/// One page of a query.
public struct EntityPage: Sendable {
    public var entities: [Entity]
    /// All matches, when the query asked for `count`.
    public var totalCount: Int?

    public init(entities: [Entity], totalCount: Int? = nil) {
        self.entities = entities
        self.totalCount = totalCount
    }
}

/// One entity type present in a tenant, with the attributes its entities have (for `/types` and `/attributes`).
public struct TypeSummary: Sendable, Hashable {
    public var type: String
    public var entityCount: Int
    /// Attribute name → the attribute kinds seen under it.
    public var attributes: [String: Set<String>]

    public init(type: String, entityCount: Int, attributes: [String: Set<String>]) {
        self.type = type
        self.entityCount = entityCount
        self.attributes = attributes
    }
}

/// Where entities live. Tenants are fully isolated: nothing of one tenant is visible through another.
///
/// Writes are acknowledged (the call returns) only after their transaction has committed.
public protocol EntityStore: Sendable {
    /// Whether the tenant has been created (by a first write).
    func tenantExists(_ tenant: String) async throws -> Bool

    /// Applies changes in one transaction, in order; each change succeeds or fails on its own
    /// (a failed change leaves its entity as it was). Creates the tenant on first use.
    ///
    /// Every change that succeeds appends an audit record (`entity.create`, `entity.update`, `entity.delete`)
    /// attributed to `origin`, in the same transaction.
    /// - Returns: one result per change, in order.
    func apply(
        _ changes: [EntityChange],
        tenant: String,
        origin: AuditContext
    ) async throws -> [Result<EntityChangeResult, NGSIError>]

    /// The entity with this id, or `nil`.
    func entity(id: String, tenant: String) async throws -> Entity?

    /// The entities matching `query`, one page, in a stable order (creation order).
    func query(_ query: EntityQuery, tenant: String) async throws -> EntityPage

    /// The types present in the tenant, with their attributes.
    func typeSummaries(tenant: String) async throws -> [TypeSummary]
}

extension EntityStore {
    /// Applies changes attributed to no caller (`AuditContext.unattributed`): for tests and tools.
    public func apply(
        _ changes: [EntityChange],
        tenant: String
    ) async throws -> [Result<EntityChangeResult, NGSIError>] {
        try await apply(changes, tenant: tenant, origin: .unattributed)
    }
}
