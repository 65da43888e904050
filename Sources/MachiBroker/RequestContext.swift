/// What every broker operation carries: which tenant it acts in and which request it serves.
public struct BrokerContext: Sendable {
    /// The tenant (`NGSILD-Tenant`), or `nil` for the default tenant.
    public var tenant: String?
    /// The request id, for logs and audit.
    public var requestId: String

    public init(tenant: String?, requestId: String) {
        self.tenant = tenant
        self.requestId = requestId
    }

    /// The store's name of the tenant: the default tenant is `""`.
    public var storeTenant: String { tenant ?? "" }
}
