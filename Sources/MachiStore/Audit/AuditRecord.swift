/// One link of an audit chain: the event, its place (`sequence`), its time, and the hashes that bind it to the
/// record before it. See `AuditChain` for the canonical form the hash covers.
public struct AuditRecord: Sendable, Hashable {
    /// 1, 2, 3, … within one database, without gaps.
    public var sequence: Int64
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var timeMilliseconds: Int64
    public var actor: AuditActor
    public var action: String
    public var target: String?
    public var tenant: String
    public var requestId: String?
    public var purpose: String?
    public var dataOwner: String?
    /// The details as the JSON text that was hashed.
    public var detail: String?
    /// The `hash` of the previous record (`AuditChain.genesisHash` for the first).
    public var previousHash: String
    /// SHA-256 of the canonical form, 64 lower-case hex digits.
    public var hash: String

    public init(
        sequence: Int64,
        timeMilliseconds: Int64,
        actor: AuditActor,
        action: String,
        target: String?,
        tenant: String,
        requestId: String?,
        purpose: String?,
        dataOwner: String?,
        detail: String?,
        previousHash: String,
        hash: String
    ) {
        self.sequence = sequence
        self.timeMilliseconds = timeMilliseconds
        self.actor = actor
        self.action = action
        self.target = target
        self.tenant = tenant
        self.requestId = requestId
        self.purpose = purpose
        self.dataOwner = dataOwner
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }
}
