public import MachiCore
public import MachiStore

/// What every broker operation carries: which tenant it acts in, who acts, for what purpose, and which request it
/// serves. Authorization, consent filtering and the audit trail read it; nothing reads globals.
public struct BrokerContext: Sendable {
    /// The tenant (`NGSILD-Tenant`), or `nil` for the default tenant.
    public var tenant: String?
    /// The request id, for logs and audit.
    public var requestId: String
    /// Who performs the operation.
    public var principal: Principal
    /// The purpose the caller states for reading personal data (matched against consents), if any.
    public var purpose: String?

    public init(tenant: String?, requestId: String, principal: Principal, purpose: String? = nil) {
        self.tenant = tenant
        self.requestId = requestId
        self.principal = principal
        self.purpose = purpose
    }

    /// The store's name of the tenant: the default tenant is `""`.
    public var storeTenant: String { tenant ?? "" }

    /// What the audit trail records of this operation's writes and reads.
    public var audit: AuditContext { AuditContext(principal: principal, requestId: requestId, purpose: purpose) }
}
