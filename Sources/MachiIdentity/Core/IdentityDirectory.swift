public import Foundation
import MachiCore
public import MachiStore
import NIOPosix

/// Manages users, clients and external identifiers: what `machi user`, `machi client` and the admin API call.
/// Bad input throws `IdentityError` and changes nothing.
///
/// With `audited`, every change is recorded (`admin.user.create`, `admin.client.delete`, …) in the store's audit
/// chain, in the transaction of the change, as done by the directory's `administrator` (see
/// `administered(by:)`); a refused change records nothing. Secrets and passwords are never recorded.
public struct IdentityDirectory: Sendable {
    public let store: any IdentityStore
    public let pseudonymizer: Pseudonymizer
    public let hasher: PasswordHasher
    /// Whether changes are recorded in the store's audit chain.
    public let audited: Bool
    /// The cache of current principals that changes of roles, the disabled flag and clients invalidate.
    public let principals: CurrentPrincipals?
    /// Who the changes are recorded as made by.
    public internal(set) var administrator: Administrator = .unattributed
    let now: @Sendable () -> Date

    public init(
        store: any IdentityStore,
        pseudonymizer: Pseudonymizer,
        hasher: PasswordHasher = PasswordHasher(),
        audited: Bool = false,
        principals: CurrentPrincipals? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.principals = principals
        self.store = store
        self.pseudonymizer = pseudonymizer
        self.hasher = hasher
        self.audited = audited
        self.now = now
    }

    /// Grant types a client may be registered for.
    public static let grantTypes: Set<String> = ["client_credentials", "authorization_code", "refresh_token"]

    static func checkUsername(_ username: String) throws -> String {
        let name = username.lowercased()
        guard (1...64).contains(name.count),
            name.unicodeScalars.allSatisfy({
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._@-".unicodeScalars.contains($0))
            })
        else { throw IdentityError(.invalidRequest, "a username is 1 to 64 letters, digits or . _ @ -") }
        return name
    }

    static func checkRoles(_ roles: [String: Set<String>]) throws -> [String: Set<String>] {
        for (tenant, names) in roles {
            guard tenant.count <= 64, names.allSatisfy({ (1...64).contains($0.count) && !$0.contains(" ") }) else {
                throw IdentityError(.invalidRequest, "a role name is 1 to 64 characters without spaces")
            }
        }
        return roles.filter { !$0.value.isEmpty }
    }

    func hash(_ password: String) async throws -> String {
        let hasher = self.hasher
        return try await NIOThreadPool.singleton.runIfActive { try hasher.hash(password) }
    }

    // MARK: users

    /// Adds a person with a new common ID.
    /// - Throws: `invalidRequest` for a bad username, password or role; `conflict` if the username is taken.
    public func addUser(
        username: String,
        displayName: String? = nil,
        password: String?,
        roles: [String: Set<String>] = [:]
    ) async throws -> UserRecord {
        let name = try Self.checkUsername(username)
        let roles = try Self.checkRoles(roles)
        let hash = try await password.asyncMap { try await self.hash($0) }
        let user = UserRecord(
            subject: CommonID.person(UUID()),
            username: name,
            displayName: displayName ?? name,
            passwordHash: hash,
            roles: roles,
            createdAt: now()
        )
        let audit = events(
            "user.create",
            target: user.subject,
            detail: [
                "username": .string(name), "password": .bool(hash != nil), "roles": Self.describe(roles),
            ]
        )
        guard try await store.insertUser(user, audit: audit) else {
            throw IdentityError(.conflict, "the username is taken")
        }
        return user
    }

    /// The user with this username or common ID.
    public func user(_ usernameOrSubject: String) async throws -> UserRecord {
        if let user = try await store.user(subject: usernameOrSubject) { return user }
        guard let user = try await store.user(username: usernameOrSubject.lowercased()) else {
            throw IdentityError(.notFound, "no such user")
        }
        return user
    }

    /// Sets a user's password (recorded as `admin.user.password`, without the password).
    public func setPassword(_ usernameOrSubject: String, password: String) async throws {
        var user = try await user(usernameOrSubject)
        user.passwordHash = try await hash(password)
        let audit = events("user.password", target: user.subject, detail: ["username": .string(user.username)])
        guard try await store.updateUser(user, audit: audit) else { throw IdentityError(.notFound, "no such user") }
    }

    /// Disables or enables a user (`admin.user.disable`, `admin.user.enable`).
    public func setDisabled(_ usernameOrSubject: String, _ disabled: Bool) async throws {
        var user = try await user(usernameOrSubject)
        user.disabled = disabled
        let audit = events(
            disabled ? "user.disable" : "user.enable",
            target: user.subject,
            detail: ["username": .string(user.username)]
        )
        guard try await store.updateUser(user, audit: audit) else { throw IdentityError(.notFound, "no such user") }
        principals?.invalidate()
    }

    /// Replaces the user's roles in one tenant (an empty set removes them); recorded as `admin.user.roles` in that
    /// tenant, with the roles before and after.
    public func setRoles(_ usernameOrSubject: String, tenant: String, roles: Set<String>) async throws -> UserRecord {
        var user = try await user(usernameOrSubject)
        let before = user.roles[tenant] ?? []
        user.roles[tenant] = roles
        user.roles = try Self.checkRoles(user.roles)
        let audit = events(
            "user.roles",
            target: user.subject,
            tenant: tenant,
            detail: [
                "username": .string(user.username), "roles": .array(roles.sorted().map(JSON.string)),
                "previous": .array(before.sorted().map(JSON.string)),
            ]
        )
        guard try await store.updateUser(user, audit: audit) else { throw IdentityError(.notFound, "no such user") }
        principals?.invalidate()
        return user
    }

    /// Links an external identifier (e.g. scheme `mynumber`) to a user, as its keyed pseudonym only; recorded as
    /// `admin.user.link` with the scheme (never the identifier or its pseudonym).
    /// - Throws: `conflict` if the identifier is linked to someone already.
    public func linkExternalID(_ usernameOrSubject: String, scheme: String, value: String) async throws {
        let user = try await user(usernameOrSubject)
        let pseudonym = try pseudonymizer.pseudonym(scheme: scheme, value: value)
        let audit = events(
            "user.link",
            target: user.subject,
            detail: ["username": .string(user.username), "scheme": .string(scheme.lowercased())]
        )
        guard
            try await store.linkExternalID(
                scheme: scheme.lowercased(),
                pseudonym: pseudonym,
                subject: user.subject,
                audit: audit
            )
        else { throw IdentityError(.conflict, "the external identifier is linked already") }
    }

    /// The user an external identifier is linked to.
    public func user(scheme: String, externalID value: String) async throws -> UserRecord? {
        let pseudonym = try pseudonymizer.pseudonym(scheme: scheme, value: value)
        guard let subject = try await store.subject(scheme: scheme.lowercased(), pseudonym: pseudonym) else {
            return nil
        }
        return try await store.user(subject: subject)
    }

    // MARK: clients

    /// Registers a client; returns it with its secret (shown once, stored only hashed; `nil` for a public client).
    /// - Throws: `invalidRequest` for a bad id, scope, grant type or redirect URI; `conflict` if the id exists.
    public func addClient(
        clientId: String,
        name: String? = nil,
        confidential: Bool,
        redirectURIs: [String] = [],
        scopes: Set<String>,
        grantTypes: Set<String>,
        tenant: String = "",
        roles: [String: Set<String>] = [:]
    ) async throws -> (client: ClientRecord, secret: String?) {
        guard CommonID.isValidClientId(clientId) else {
            throw IdentityError(.invalidRequest, "a client id is 1 to 64 letters, digits or - _ .")
        }
        guard scopes.isSubset(of: Set(MachiCore.Scope.all)) else {
            throw IdentityError(.invalidScope, "unknown scope; known: \(MachiCore.Scope.all.joined(separator: " "))")
        }
        guard !grantTypes.isEmpty, grantTypes.isSubset(of: Self.grantTypes) else {
            throw IdentityError(
                .invalidRequest,
                "grant types are client_credentials, authorization_code, refresh_token"
            )
        }
        if grantTypes.contains("client_credentials") && !confidential {
            throw IdentityError(.invalidRequest, "a public client cannot use client_credentials")
        }
        for uri in redirectURIs {
            guard let url = URLComponents(string: uri), let scheme = url.scheme?.lowercased(), url.host != nil,
                url.fragment == nil,
                scheme == "https" || (scheme == "http" && ["localhost", "127.0.0.1", "[::1]"].contains(url.host!))
                    || !["http", "https", "javascript", "data", "file"].contains(scheme)
            else {
                throw IdentityError(
                    .invalidRequest,
                    "a redirect URI is absolute, https (http only for localhost), without fragment"
                )
            }
        }
        if grantTypes.contains("authorization_code") && redirectURIs.isEmpty {
            throw IdentityError(.invalidRequest, "the authorization code flow needs a redirect URI")
        }
        let roles = try Self.checkRoles(roles)
        let secret = confidential ? SecretToken.generate() : nil
        let client = ClientRecord(
            clientId: clientId,
            name: name ?? clientId,
            secretHash: secret.map(SecretToken.hash),
            redirectURIs: redirectURIs,
            scopes: scopes,
            grantTypes: grantTypes,
            tenant: tenant,
            roles: roles,
            createdAt: now()
        )
        let audit = events(
            "client.create",
            target: clientId,
            tenant: tenant,
            detail: [
                "public": .bool(!confidential), "scopes": .array(scopes.sorted().map(JSON.string)),
                "grantTypes": .array(grantTypes.sorted().map(JSON.string)),
                "redirectURIs": .array(redirectURIs.map(JSON.string)), "roles": Self.describe(roles),
            ]
        )
        guard try await store.insertClient(client, audit: audit) else {
            throw IdentityError(.conflict, "the client id is taken")
        }
        principals?.invalidate()
        return (client, secret)
    }

    /// Removes a client and its grants (`admin.client.delete`, in the client's tenant).
    public func removeClient(_ clientId: String) async throws {
        guard let client = try await store.client(id: clientId),
            try await store.deleteClient(
                id: clientId,
                audit: events("client.delete", target: clientId, tenant: client.tenant)
            )
        else { throw IdentityError(.notFound, "no such client") }
        principals?.invalidate()
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
