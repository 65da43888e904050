/// Who performs an operation: a person, an application acting on its own or for a person, a device, or nobody
/// known. Built by the authentication middleware from a verified token (or an IoT API key) and carried by every
/// operation; authorization, consent filtering and the audit trail read it, nothing else decides who acts.
public struct Principal: Sendable, Hashable {
    /// What kind of party the subject is.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A resident or a member of staff, signed in.
        case person
        /// An OAuth 2.0 client acting for itself (client credentials).
        case application
        /// A sensor or actuator, authenticated by its IoT API key.
        case device
        /// No credentials: public reads of open data, or everything in `--auth open` mode.
        case anonymous
        /// Machi itself: the IoT agent writing measures, retention sweeps, command delivery.
        case system
    }

    /// The common ID of the subject (`urn:machi:person:<uuid>`, `urn:machi:application:<id>`, …).
    public var subject: String
    public var kind: Kind
    /// The OAuth 2.0 client the request came through (`client_id`), when there is one.
    public var clientId: String?
    /// Roles per tenant; the default tenant is `""`.
    public var roles: [String: Set<Role>]
    /// The OAuth 2.0 scopes granted to the token.
    public var scopes: Set<String>
    /// `true` only in `--auth open` mode: everything is allowed, and the audit trail says so.
    public var isOpenMode: Bool

    public init(
        subject: String,
        kind: Kind,
        clientId: String? = nil,
        roles: [String: Set<Role>] = [:],
        scopes: Set<String> = [],
        isOpenMode: Bool = false
    ) {
        self.subject = subject
        self.kind = kind
        self.clientId = clientId
        self.roles = roles
        self.scopes = scopes
        self.isOpenMode = isOpenMode
    }

    /// A caller without credentials.
    public static let anonymous = Principal(subject: "urn:machi:anonymous", kind: .anonymous)

    /// The caller of a server in `--auth open` mode (local development, the conformance suite).
    public static let openMode = Principal(subject: "urn:machi:anonymous", kind: .anonymous, isOpenMode: true)

    /// A part of Machi acting on its own account (`urn:machi:system:<component>`), trusted like an admin.
    public static func system(_ component: String) -> Principal {
        Principal(subject: "urn:machi:system:\(component)", kind: .system)
    }

    /// The roles the principal holds in `tenant` (`""` for the default tenant).
    public func roles(in tenant: String) -> Set<Role> { roles[tenant] ?? [] }
}

/// A role a principal holds in one tenant.
public struct Role: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Manages the tenant: users, clients, consents on behalf of others, the audit trail.
    public static let admin = Role(rawValue: "admin")
    /// City staff operating the platform's data (reads and writes, personal data only with `personal:read`).
    public static let `operator` = Role(rawValue: "operator")
    /// A service developer: reads and writes open data.
    public static let developer = Role(rawValue: "developer")
    /// A resident: reads open data and their own personal data.
    public static let resident = Role(rawValue: "resident")

    public var description: String { rawValue }
}

/// The OAuth 2.0 scopes Machi knows.
public enum Scope {
    public static let read = "ngsi-ld:read"
    public static let write = "ngsi-ld:write"
    public static let iotAdmin = "iot:admin"
    public static let personalRead = "personal:read"
    public static let auditRead = "audit:read"
    public static let admin = "machi:admin"
    public static let openID = "openid"
    public static let profile = "profile"
    public static let offlineAccess = "offline_access"

    /// Every scope a client may be registered for.
    public static let all: [String] = [
        read, write, iotAdmin, personalRead, auditRead, admin, openID, profile, offlineAccess,
    ]
}
