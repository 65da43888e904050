import MachiCore
public import MachiStore

extension IdentityDirectory {
    /// Who makes a directory's changes, as its `admin.*` audit records name them: the actor (an admin's principal
    /// and request, or the command line) and the tenant the change is recorded in when the change itself names none
    /// (roles and clients are recorded in their own tenant).
    public struct Administrator: Sendable, Hashable {
        /// The actor, request id included.
        public var context: AuditContext
        /// The tenant of the records of user changes (the admin API's `NGSILD-Tenant`; `""` on the command line).
        public var tenant: String

        public init(_ context: AuditContext, tenant: String) {
            self.context = context
            self.tenant = tenant
        }

        /// The `machi user` and `machi client` commands (`urn:machi:system:cli`).
        public static let commandLine = Administrator(
            AuditContext(principal: .system("cli"), requestId: nil),
            tenant: ""
        )

        /// Changes nobody named an actor for (tools and tests that call the directory directly).
        public static let unattributed = Administrator(.unattributed, tenant: "")
    }

    /// This directory, recording its changes as made by `administrator`.
    ///
    /// ```swift
    /// let directory = identity.directory.administered(by: .commandLine)
    /// try await directory.setDisabled("alice", true)  // admin.user.disable by urn:machi:system:cli
    /// ```
    public func administered(by administrator: Administrator) -> IdentityDirectory {
        var copy = self
        copy.administrator = administrator
        return copy
    }

    /// The audit event of a change (`admin.<what>`), or none when the directory is not audited.
    func events(_ what: String, target: String, tenant: String? = nil, detail: JSON? = nil) -> [AuditEvent] {
        guard audited else { return [] }
        return [
            administrator.context.event(
                .admin(what),
                target: target,
                tenant: tenant ?? administrator.tenant,
                detail: detail
            )
        ]
    }

    /// Roles per tenant as the command line writes them: `role` in the default tenant, `tenant:role` elsewhere.
    static func describe(_ roles: [String: Set<String>]) -> JSON {
        .array(
            roles.keys.sorted().flatMap { tenant in
                roles[tenant, default: []].sorted().map { JSON.string(tenant.isEmpty ? $0 : "\(tenant):\($0)") }
            }
        )
    }
}
