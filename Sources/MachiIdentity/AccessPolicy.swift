public import MachiCore

/// What an operation needs, as the one policy point sees it.
public enum AccessAction: Sendable, Hashable {
    /// Reading context data: entities, types, attributes, temporal evolution, subscriptions, @contexts.
    case read
    /// Changing context data: entities, batch operations, hosted @contexts.
    case write
    /// Managing subscriptions: a read channel, so it needs what reading needs, but never anonymously.
    case subscribe
    /// An application asking a resident for consent to read their personal data.
    case requestConsent
    /// Managing the IoT agent: service groups and devices.
    case iotAdmin
    /// Reading the tenant's audit trail.
    case auditRead
    /// Managing users, clients and tenants.
    case admin
    /// A signed-in person's own account: their consents and access log.
    case selfService
}

/// The single authorization decision of Machi: may this principal perform this action in this tenant?
///
/// | action | scope | roles in the tenant |
/// | --- | --- | --- |
/// | read | `ngsi-ld:read` | admin, operator, developer, resident — or anonymous where the tenant is public |
/// | write | `ngsi-ld:write` | admin, operator, developer |
/// | subscribe, requestConsent | `ngsi-ld:read` | admin, operator, developer, resident (never anonymous) |
/// | iotAdmin | `iot:admin` | admin, operator |
/// | auditRead | `audit:read` | admin |
/// | admin | `machi:admin` | admin |
/// | selfService | — | any signed-in person |
///
/// Open mode and Machi's own components may do everything; devices act only through the IoT southbound API,
/// which authenticates them by API key. Which personal data a permitted read returns is decided afterwards, per
/// entity, by consent (`PersonalDataGuard`).
public struct AccessPolicy: Sendable {
    /// Tenants whose open (non-personal) data anonymous callers may read; `""` is the default tenant.
    public var publicReadTenants: Set<String>

    public init(publicReadTenants: Set<String> = []) {
        self.publicReadTenants = publicReadTenants
    }

    /// Throws `Unauthorized` (401) when the caller must sign in first, `Forbidden` (403) when signing in is not
    /// the problem.
    public func authorize(_ principal: Principal, _ action: AccessAction, tenant: String) throws(NGSIError) {
        if principal.isOpenMode { return }
        switch principal.kind {
        case .system:
            return
        case .anonymous:
            if action == .read, publicReadTenants.contains(tenant) { return }
            throw NGSIError(.unauthenticated, "This operation needs an access token (Authorization: Bearer …)")
        case .device:
            throw NGSIError(.accessDenied, "Devices send measures through the IoT agent; they cannot \(action.verb)")
        case .person, .application:
            if action == .selfService {
                guard principal.kind == .person else {
                    throw NGSIError(.accessDenied, "Only a signed-in person has an account to manage")
                }
                return
            }
            guard let scope = action.scope, principal.scopes.contains(scope) else {
                throw NGSIError(.accessDenied, "The token lacks the scope \(action.scope ?? "") needed to \(action.verb)")
            }
            let held = principal.roles(in: tenant)
            guard !held.isDisjoint(with: action.roles) else {
                let name = tenant.isEmpty ? "the default tenant" : "tenant \(tenant)"
                throw NGSIError(
                    .accessDenied,
                    "No role in \(name) allows to \(action.verb) (needs one of \(action.roles.map(\.rawValue).sorted()))"
                )
            }
        }
    }
}

extension AccessAction {
    /// The OAuth 2.0 scope a token needs; `nil` for self-service.
    var scope: String? {
        switch self {
        case .read, .subscribe, .requestConsent: Scope.read
        case .write: Scope.write
        case .iotAdmin: Scope.iotAdmin
        case .auditRead: Scope.auditRead
        case .admin: Scope.admin
        case .selfService: nil
        }
    }

    /// The roles, any one of which allows the action.
    var roles: Set<Role> {
        switch self {
        case .read, .subscribe, .requestConsent: [.admin, .operator, .developer, .resident]
        case .write: [.admin, .operator, .developer]
        case .iotAdmin: [.admin, .operator]
        case .auditRead, .admin: [.admin]
        case .selfService: []
        }
    }

    var verb: String {
        switch self {
        case .read: "read context data"
        case .write: "change context data"
        case .subscribe: "manage subscriptions"
        case .requestConsent: "ask for consent"
        case .iotAdmin: "manage IoT devices"
        case .auditRead: "read the audit trail"
        case .admin: "administer users and clients"
        case .selfService: "manage an own account"
        }
    }
}
