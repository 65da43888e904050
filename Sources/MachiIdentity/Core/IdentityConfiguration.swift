public import Foundation

/// How the identity provider issues and checks tokens.
public struct IdentityConfiguration: Sendable {
    /// The `iss` of tokens Machi issues, and the base of its OAuth endpoints (the public URL).
    public var issuer: String
    /// The `aud` every access token Machi accepts must carry.
    public var audience: String
    public var accessTokenLifetime: TimeInterval
    public var refreshTokenLifetime: TimeInterval
    public var authorizationCodeLifetime: TimeInterval
    /// Days a signing key signs before a new one replaces it.
    public var keyRotationDays: Int
    /// Other identity providers whose JWTs Machi accepts as well.
    public var externalIssuers: [ExternalIssuer]
    /// Failed sign-ins before delays start, and the longest delay.
    public var throttle: SignInThrottle.Policy
    /// log2 of scrypt's N for new password hashes (10…20; 15 = 32 MiB per hash). Existing hashes keep theirs.
    public var passwordCost: Int

    public init(
        issuer: String,
        audience: String = "machi",
        accessTokenLifetime: TimeInterval = 900,
        refreshTokenLifetime: TimeInterval = 30 * 86400,
        authorizationCodeLifetime: TimeInterval = 60,
        keyRotationDays: Int = 30,
        externalIssuers: [ExternalIssuer] = [],
        throttle: SignInThrottle.Policy = .init(),
        passwordCost: Int = 15
    ) {
        self.issuer = issuer
        self.audience = audience
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.authorizationCodeLifetime = authorizationCodeLifetime
        self.keyRotationDays = keyRotationDays
        self.externalIssuers = externalIssuers
        self.throttle = throttle
        self.passwordCost = min(20, max(10, passwordCost))
    }
}

/// An external identity provider (an OpenID Connect issuer) whose access tokens Machi accepts.
public struct ExternalIssuer: Sendable, Hashable {
    /// The exact `iss` value.
    public var issuer: String
    /// Where its public keys are (`jwks_uri`).
    public var jwksURL: String
    /// The `aud` its tokens must carry for Machi; the provider's `audience` when `nil`.
    public var audience: String?

    public init(issuer: String, jwksURL: String, audience: String? = nil) {
        self.issuer = issuer
        self.jwksURL = jwksURL
        self.audience = audience
    }
}
