public import Foundation

/// A person who signs in: a resident or a member of staff.
public struct UserRecord: Sendable, Hashable {
    /// The common ID, `urn:machi:person:<uuid>`; never changes.
    public var subject: String
    /// Unique, case-folded by the identity layer.
    public var username: String
    public var displayName: String
    /// The encoded password hash (`scrypt$…`); `nil` if the user cannot sign in with a password.
    public var passwordHash: String?
    /// Roles per tenant (`""` is the default tenant), as role names.
    public var roles: [String: Set<String>]
    public var disabled: Bool
    public var createdAt: Date

    public init(
        subject: String,
        username: String,
        displayName: String,
        passwordHash: String?,
        roles: [String: Set<String>],
        disabled: Bool = false,
        createdAt: Date
    ) {
        self.subject = subject
        self.username = username
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.roles = roles
        self.disabled = disabled
        self.createdAt = createdAt
    }
}

/// A registered OAuth 2.0 client (an application).
public struct ClientRecord: Sendable, Hashable {
    public var clientId: String
    public var name: String
    /// The encoded hash of the client secret; `nil` for a public client (PKCE only).
    public var secretHash: String?
    public var redirectURIs: [String]
    public var scopes: Set<String>
    /// `client_credentials`, `authorization_code`, `refresh_token`.
    public var grantTypes: Set<String>
    /// The tenant the client belongs to (`""` for the default tenant).
    public var tenant: String
    /// Roles of the client itself (client credentials), per tenant.
    public var roles: [String: Set<String>]
    public var createdAt: Date

    public init(
        clientId: String,
        name: String,
        secretHash: String?,
        redirectURIs: [String],
        scopes: Set<String>,
        grantTypes: Set<String>,
        tenant: String,
        roles: [String: Set<String>],
        createdAt: Date
    ) {
        self.clientId = clientId
        self.name = name
        self.secretHash = secretHash
        self.redirectURIs = redirectURIs
        self.scopes = scopes
        self.grantTypes = grantTypes
        self.tenant = tenant
        self.roles = roles
        self.createdAt = createdAt
    }

    /// A public client has no secret and must use PKCE.
    public var isPublic: Bool { secretHash == nil }
}

/// An authorization code as stored: only its hash, bound to the client, redirect URI and PKCE challenge.
public struct AuthorizationCodeRecord: Sendable, Hashable {
    public var codeHash: String
    public var clientId: String
    public var subject: String
    public var redirectURI: String
    public var scopes: Set<String>
    public var codeChallenge: String
    public var nonce: String?
    public var expiresAt: Date
    /// The token family the code's exchange created; its tokens are revoked if the code is presented again.
    public var familyId: String
    /// When the code was exchanged, `nil` while unused.
    public var usedAt: Date?

    public init(
        codeHash: String,
        clientId: String,
        subject: String,
        redirectURI: String,
        scopes: Set<String>,
        codeChallenge: String,
        nonce: String?,
        expiresAt: Date,
        familyId: String,
        usedAt: Date? = nil
    ) {
        self.codeHash = codeHash
        self.clientId = clientId
        self.subject = subject
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.expiresAt = expiresAt
        self.familyId = familyId
        self.usedAt = usedAt
    }
}

/// A refresh token as stored: its hash, its family (every token rotated from one grant) and the access token
/// issued with it, so a revoked family can revoke its access tokens too.
public struct RefreshTokenRecord: Sendable, Hashable {
    public var tokenHash: String
    public var familyId: String
    public var clientId: String
    public var subject: String
    public var scopes: Set<String>
    public var expiresAt: Date
    /// Set when the token was rotated (used) or revoked; a second use of a used token revokes the family.
    public var usedAt: Date?
    public var revoked: Bool
    /// The `jti` and expiry of the access token issued together with this refresh token.
    public var accessTokenId: String
    public var accessTokenExpiresAt: Date

    public init(
        tokenHash: String,
        familyId: String,
        clientId: String,
        subject: String,
        scopes: Set<String>,
        expiresAt: Date,
        usedAt: Date? = nil,
        revoked: Bool = false,
        accessTokenId: String,
        accessTokenExpiresAt: Date
    ) {
        self.tokenHash = tokenHash
        self.familyId = familyId
        self.clientId = clientId
        self.subject = subject
        self.scopes = scopes
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.revoked = revoked
        self.accessTokenId = accessTokenId
        self.accessTokenExpiresAt = accessTokenExpiresAt
    }
}

/// A token-signing key: the private key (PEM) with its key id, kept until every token it signed has expired.
public struct SigningKeyRecord: Sendable, Hashable {
    public var kid: String
    public var privateKeyPEM: String
    public var createdAt: Date
    /// When a newer key replaced it for signing; it stays in the JWKS until `retiredAt` plus the longest token life.
    public var retiredAt: Date?

    public init(kid: String, privateKeyPEM: String, createdAt: Date, retiredAt: Date? = nil) {
        self.kid = kid
        self.privateKeyPEM = privateKeyPEM
        self.createdAt = createdAt
        self.retiredAt = retiredAt
    }
}
