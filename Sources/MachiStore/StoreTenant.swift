/// Tenant names as stores see them.
///
/// A tenant is the value of the `NGSILD-Tenant` header; a request without one addresses the default tenant.
/// Stores take any string as a tenant name and must keep tenants fully isolated.
public enum StoreTenant {
    /// The default tenant: the empty string. It always exists (`tenantExists` is `true` for it).
    public static let defaultName = ""
}
