public import Foundation

/// A filter over one chain's records; every criterion given must hold. Results are newest first.
public struct AuditQuery: Sendable, Hashable {
    /// The actor's subject.
    public var actor: String?
    public var action: String?
    public var target: String?
    /// The data owner (the access log of one resident).
    public var dataOwner: String?
    /// The event's tenant: for a chain that holds the events of several tenants (the identity database's).
    public var tenant: String?
    /// From this time on (inclusive).
    public var from: Date?
    /// Before this time (exclusive).
    public var to: Date?
    public var limit: Int
    public var offset: Int

    public init(
        actor: String? = nil,
        action: String? = nil,
        target: String? = nil,
        dataOwner: String? = nil,
        tenant: String? = nil,
        from: Date? = nil,
        to: Date? = nil,
        limit: Int = 100,
        offset: Int = 0
    ) {
        self.actor = actor
        self.action = action
        self.target = target
        self.dataOwner = dataOwner
        self.tenant = tenant
        self.from = from
        self.to = to
        self.limit = limit
        self.offset = offset
    }
}

/// One read of an entity that holds a resident's personal data.
public struct PersonalDataRead: Sendable, Hashable {
    /// The entity read.
    public var entityId: String
    /// The common ID of the resident the data belongs to; `nil` for an entity of a type the tenant marks personal
    /// that names no owner.
    public var owner: String?

    public init(entityId: String, owner: String?) {
        self.entityId = entityId
        self.owner = owner
    }
}

/// An append-only, hash-chained audit log: one chain per database (a tenant's database, or a system database for
/// events of no tenant).
///
/// Writes through the store's own write calls record themselves in their transaction; `append` is for events the
/// store does not see (sign-in, token issue, consent changes, reads of personal data), each call one transaction.
///
/// ```swift
/// try await audit.append([context.event(.signIn, target: nil, tenant: "")], tenant: "")
/// ```
public protocol AuditLog: Sendable {
    /// Appends `events` to the chain that holds `tenant`'s records, in one transaction of their own, in order.
    /// Their `tenant` fields are recorded as given.
    func append(_ events: [AuditEvent], tenant: String) async throws

    /// The records of `tenant`'s chain matching `query`, newest first.
    func auditRecords(matching query: AuditQuery, tenant: String) async throws -> [AuditRecord]

    /// Checks `tenant`'s whole chain.
    func verifyAudit(tenant: String) async throws -> AuditVerification
}

extension AuditLog {
    /// Records reads of personal data: one `personal.read` record per entity read, naming its owner (if it has
    /// one), all in one transaction. The read paths call it once per response, before answering.
    public func recordReads(_ reads: [PersonalDataRead], context: AuditContext, tenant: String) async throws {
        guard !reads.isEmpty else { return }
        try await append(
            reads.map { context.event(.personalRead, target: $0.entityId, tenant: tenant, dataOwner: $0.owner) },
            tenant: tenant
        )
    }

    /// Appends one event.
    public func append(_ event: AuditEvent, tenant: String) async throws {
        try await append([event], tenant: tenant)
    }
}
