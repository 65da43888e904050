/// What an audit record says happened: a dotted name, `<resource>.<verb>`. New names need no new code.
public struct AuditAction: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static let entityCreate = AuditAction("entity.create")
    public static let entityUpdate = AuditAction("entity.update")
    public static let entityDelete = AuditAction("entity.delete")
    public static let subscriptionCreate = AuditAction("subscription.create")
    public static let subscriptionUpdate = AuditAction("subscription.update")
    public static let subscriptionDelete = AuditAction("subscription.delete")
    /// IoT provisioning: a service group or a device (the target is `group:<key>` or `device:<key>`).
    public static let provisioningCreate = AuditAction("iot.create")
    public static let provisioningUpdate = AuditAction("iot.update")
    public static let provisioningDelete = AuditAction("iot.delete")
    /// A hosted JSON-LD @context (`/jsonldContexts`).
    public static let contextCreate = AuditAction("context.create")
    public static let contextDelete = AuditAction("context.delete")
    /// A read of an entity that holds a resident's personal data (the record names the data owner).
    public static let personalRead = AuditAction("personal.read")
    public static let signIn = AuditAction("signin")
    public static let signInFailed = AuditAction("signin.failed")
    public static let tokenIssue = AuditAction("token.issue")
    public static let consentRequest = AuditAction("consent.request")
    public static let consentGrant = AuditAction("consent.grant")
    public static let consentDeny = AuditAction("consent.deny")
    public static let consentRevoke = AuditAction("consent.revoke")
    /// Administration of users, clients and roles: `admin.<what>`, e.g. `admin.user.create`.
    public static func admin(_ what: String) -> AuditAction { AuditAction("admin.\(what)") }
}
