public import Foundation
import MachiCore
public import MachiStore
import NIOPosix

/// Manages users, clients and external identifiers: what `machi user`, `machi client` and the admin API call.
/// Bad input throws `IdentityError` and changes nothing.
public struct IdentityDirectory: Sendable {
    public let store: any IdentityStore
    public let pseudonymizer: Pseudonymizer
    public let hasher: PasswordHasher
    let now: @Sendable () -> Date

    public init(
        store: any IdentityStore,
        pseudonymizer: Pseudonymizer,
        hasher: PasswordHasher = PasswordHasher(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.pseudonymizer = pseudonymizer
        self.hasher = hasher
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
        guard try await store.insertUser(user) else { throw IdentityError(.conflict, "the username is taken") }
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

    public func setPassword(_ usernameOrSubject: String, password: String) async throws {
        var user = try await user(usernameOrSubject)
        user.passwordHash = try await hash(password)
        _ = try await store.updateUser(user)
    }

    public func setDisabled(_ usernameOrSubject: String, _ disabled: Bool) async throws {
        var user = try await user(usernameOrSubject)
        user.disabled = disabled
        _ = try await store.updateUser(user)
    }

    /// Replaces the user's roles in one tenant (an empty set removes them).
    public func setRoles(_ usernameOrSubject: String, tenant: String, roles: Set<String>) async throws -> UserRecord {
        var user = try await user(usernameOrSubject)
        user.roles[tenant] = roles
        user.roles = try Self.checkRoles(user.roles)
        _ = try await store.updateUser(user)
        return user
    }

    /// Links an external identifier (e.g. scheme `mynumber`) to a user, as its keyed pseudonym only.
    /// - Throws: `conflict` if the identifier is linked to someone already.
    public func linkExternalID(_ usernameOrSubject: String, scheme: String, value: String) async throws {
        let user = try await user(usernameOrSubject)
        let pseudonym = try pseudonymizer.pseudonym(scheme: scheme, value: value)
        guard try await store.linkExternalID(scheme: scheme.lowercased(), pseudonym: pseudonym, subject: user.subject)
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
        guard try await store.insertClient(client) else { throw IdentityError(.conflict, "the client id is taken") }
        return (client, secret)
    }

    /// Removes a client and its grants.
    public func removeClient(_ clientId: String) async throws {
        guard try await store.deleteClient(id: clientId) else { throw IdentityError(.notFound, "no such client") }
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
