import Crypto
public import Foundation
import MachiCore
public import MachiStore
import NIOPosix
import Synchronization

/// The OAuth 2.0 / OpenID Connect provider's flows: client credentials, authorization code with PKCE, refresh
/// tokens with rotation and reuse detection, revocation, sign-in with throttling.
///
/// HTTP-free: the routes in MachiHTTP parse requests and render answers; every refusal is an `IdentityError`
/// whose code is the RFC 6749 `error` value.
public struct OAuthService: Sendable {
    /// What the token endpoint returns.
    public struct TokenResponse: Sendable {
        public var accessToken: String
        public var expiresIn: Int
        public var refreshToken: String?
        public var idToken: String?
        public var scope: String
    }

    public let configuration: IdentityConfiguration
    public let store: any IdentityStore
    public let keyRing: KeyRing
    public let issuer: TokenIssuer
    public let verifier: AccessTokenVerifier
    public let pseudonymizer: Pseudonymizer
    public let hasher: PasswordHasher
    public let throttle: SignInThrottle
    public let consent: any SignInConsentStep
    public let sessions: BrowserSessions
    /// The audit chain of events that belong to no tenant (sign-ins, token issues), if any.
    public let events: (any AuditLog)?
    let dummyHash: DummyHash
    let now: @Sendable () -> Date

    /// - Parameters:
    ///   - secret: the deployment secret (pseudonyms, session cookies, form tokens).
    ///   - now: the clock (tests move it).
    public init(
        configuration: IdentityConfiguration,
        store: any IdentityStore,
        secret: [UInt8],
        hasher: PasswordHasher? = nil,
        jwksSource: (any JWKSSource)? = nil,
        consent: any SignInConsentStep = NoConsentStep(),
        events: (any AuditLog)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.events = events
        self.configuration = configuration
        self.store = store
        let retention = configuration.accessTokenLifetime + 60
        keyRing = KeyRing(
            store: store,
            rotationInterval: TimeInterval(max(1, configuration.keyRotationDays)) * 86400,
            retention: retention
        )
        issuer = TokenIssuer(configuration: configuration, keyRing: keyRing)
        pseudonymizer = Pseudonymizer(secret: .init(data: secret))
        verifier = AccessTokenVerifier(
            configuration: configuration,
            keyRing: keyRing,
            store: store,
            pseudonymizer: pseudonymizer,
            jwksSource: jwksSource,
            now: now
        )
        let hasher = hasher ?? PasswordHasher(logN: configuration.passwordCost)
        self.hasher = hasher
        dummyHash = DummyHash(hasher: hasher)
        throttle = SignInThrottle(policy: configuration.throttle)
        self.consent = consent
        sessions = BrowserSessions(secret: secret, now: now)
        self.now = now
    }

    /// Loads (or creates, or rotates) the signing keys and drops expired grants: call at start.
    public func prepare() async throws {
        try await keyRing.prepare(now: now())
        try await store.purgeExpired(before: now())
    }

    // MARK: clients

    /// Authenticates a client: a confidential client by its secret, a public client by its id alone.
    /// - Throws: `invalid_client`.
    func authenticateClient(id: String?, secret: String?) async throws -> ClientRecord {
        guard let id, !id.isEmpty, let client = try await store.client(id: id) else {
            throw IdentityError(.invalidClient, "unknown client")
        }
        if let hash = client.secretHash {
            guard let secret, SecretToken.constantTimeEqual(SecretToken.hash(secret), hash) else {
                throw IdentityError(.invalidClient, "client authentication failed")
            }
        } else if secret != nil {
            throw IdentityError(.invalidClient, "a public client has no secret")
        }
        return client
    }

    /// The scopes granted: those requested (all of them allowed for the client), or the client's when none are.
    static func grantedScopes(_ requested: String?, client: ClientRecord) throws -> Set<String> {
        let asked = Set((requested ?? "").split(separator: " ").map(String.init))
        guard !asked.isEmpty else { return client.scopes }
        guard asked.isSubset(of: client.scopes) else {
            throw IdentityError(.invalidScope, "the client may not ask for these scopes")
        }
        return asked
    }

    static func roles(_ names: [String: Set<String>]) -> [String: Set<Role>] {
        names.mapValues { Set($0.map(Role.init(rawValue:))) }
    }

    // MARK: client credentials

    /// `grant_type=client_credentials`: a token for the client itself (`urn:machi:application:<id>`).
    public func clientCredentials(
        clientId: String?,
        clientSecret: String?,
        scope: String?
    ) async throws -> TokenResponse {
        let client = try await authenticateClient(id: clientId, secret: clientSecret)
        guard !client.isPublic, client.grantTypes.contains("client_credentials") else {
            throw IdentityError(.unauthorizedClient, "the client may not use client_credentials")
        }
        return try await applicationToken(
            for: client,
            scopes: try Self.grantedScopes(scope, client: client),
            grant: "client_credentials"
        )
    }

    /// An access token for the client itself (`urn:machi:application:<id>`), recorded in the audit chain.
    func applicationToken(for client: ClientRecord, scopes: Set<String>, grant: String) async throws -> TokenResponse {
        let principal = Principal(
            subject: CommonID.application(client.clientId),
            kind: .application,
            clientId: client.clientId,
            roles: Self.roles(client.roles),
            scopes: scopes
        )
        let token = try await issuer.accessToken(for: principal, now: now())
        try await recordTokenIssue(to: principal, tokenId: token.id, grant: grant)
        return TokenResponse(
            accessToken: token.token,
            expiresIn: Int(configuration.accessTokenLifetime),
            scope: scopes.sorted().joined(separator: " ")
        )
    }

    /// Records `token.issue` (the token's `jti`, the grant and the scopes) in the identity audit chain.
    func recordTokenIssue(to principal: Principal, tokenId: String, grant: String) async throws {
        guard let events else { return }
        let detail: JSON = [
            "grant": .string(grant), "scope": .string(principal.scopes.sorted().joined(separator: " ")),
        ]
        try await events.append(
            AuditContext(principal: principal, requestId: nil).event(
                .tokenIssue,
                target: tokenId,
                tenant: "",
                detail: detail
            ),
            tenant: ""
        )
    }

    /// A token for a client, or for a user through a client, without credentials: for `machi token`, whose caller
    /// can read the data directory anyway.
    public func issueDirectly(clientId: String, username: String?, scope: String?) async throws -> TokenResponse {
        guard let client = try await store.client(id: clientId) else {
            throw IdentityError(.invalidClient, "unknown client")
        }
        let scopes = try Self.grantedScopes(scope, client: client)
        guard let username else {
            return try await applicationToken(for: client, scopes: scopes, grant: "command line")
        }
        guard let user = try await store.user(username: username.lowercased()), !user.disabled else {
            throw IdentityError(.notFound, "no such user, or disabled")
        }
        return try await issueUserTokens(
            user: user,
            client: client,
            scopes: scopes,
            familyId: UUID().uuidString.lowercased(),
            nonce: nil
        )
    }

    // MARK: sign-in

    /// Checks a username and password, throttled per account and address.
    /// - Throws: `throttled` (with `retryAfter`) while the pair must wait; `accessDenied` for wrong credentials or
    ///   a disabled account (the same answer, so it tells nothing about which accounts exist).
    public func signIn(username: String, password: String, address: String) async throws -> UserRecord {
        let account = username.lowercased()
        try throttle.check(account: account, address: address, now: now())
        let user = try await store.user(username: account)
        let hasher = self.hasher
        // Unknown users cost the same scrypt work as known ones.
        let encoded: String
        if let hash = user?.passwordHash { encoded = hash } else { encoded = try await dummyHash.value() }
        let matches = try await NIOThreadPool.singleton.runIfActive { hasher.verify(password, against: encoded) }
        guard let user, matches, user.passwordHash != nil, !user.disabled else {
            throttle.record(success: false, account: account, address: address, now: now())
            try await recordSignIn(.signInFailed, actor: .anonymous, account: account, address: address)
            throw IdentityError(.accessDenied, "wrong username or password")
        }
        throttle.record(success: true, account: account, address: address, now: now())
        let person = Principal(subject: user.subject, kind: .person, roles: Self.roles(user.roles))
        try await recordSignIn(.signIn, actor: person, account: account, address: address)
        return user
    }

}

extension OAuthService {
    /// Records a sign-in or a failed one (the account name and the client address) in the identity audit chain.
    func recordSignIn(_ action: AuditAction, actor: Principal, account: String, address: String) async throws {
        guard let events else { return }
        try await events.append(
            AuditContext(principal: actor, requestId: nil).event(
                action,
                target: account,
                tenant: "",
                detail: ["address": .string(address)]
            ),
            tenant: ""
        )
    }
}

/// A well-formed hash of a random password with the service's parameters, checked for unknown users; made at
/// the first sign-in of an unknown user, then kept.
final class DummyHash: Sendable {
    private let hasher: PasswordHasher
    private let cached = Mutex<String?>(nil)

    init(hasher: PasswordHasher) { self.hasher = hasher }

    func value() async throws -> String {
        if let hash = cached.withLock({ $0 }) { return hash }
        let hasher = self.hasher
        let hash = try await NIOThreadPool.singleton.runIfActive { try hasher.hash(SecretToken.generate()) }
        cached.withLock { $0 = hash }
        return hash
    }
}
