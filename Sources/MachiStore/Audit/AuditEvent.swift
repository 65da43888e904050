public import MachiCore

/// Something to record: an audit record before the store gives it its place in the chain.
public struct AuditEvent: Sendable, Hashable {
    public var action: AuditAction
    public var actor: AuditActor
    /// What was acted on: an entity id, a subscription id, `device:<key>`, a user, a client.
    public var target: String?
    /// The tenant the event belongs to (`""` for the default tenant).
    public var tenant: String
    public var requestId: String?
    public var purpose: String?
    /// The common ID of the resident whose personal data was read (the access log's key).
    public var dataOwner: String?
    /// A small JSON object with details; stored as its JSON text.
    public var detail: JSON?

    public init(
        action: AuditAction,
        actor: AuditActor,
        target: String? = nil,
        tenant: String,
        requestId: String? = nil,
        purpose: String? = nil,
        dataOwner: String? = nil,
        detail: JSON? = nil
    ) {
        self.action = action
        self.actor = actor
        self.target = target
        self.tenant = tenant
        self.requestId = requestId
        self.purpose = purpose
        self.dataOwner = dataOwner
        self.detail = detail
    }
}
