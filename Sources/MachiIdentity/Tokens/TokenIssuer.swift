public import Foundation
import JWTKit
public import MachiCore

/// Signs Machi's access tokens and ID tokens with the active key of the `KeyRing`.
public struct TokenIssuer: Sendable {
    /// A signed access token and what the token endpoint reports about it.
    public struct IssuedToken: Sendable {
        public var token: String
        public var id: String
        public var expiresAt: Date
    }

    let configuration: IdentityConfiguration
    let keyRing: KeyRing

    /// The `typ` of Machi's access tokens (RFC 9068), so an ID token, signed by the same key, is never taken for one.
    static let accessTokenType = "at+jwt"

    public init(configuration: IdentityConfiguration, keyRing: KeyRing) {
        self.configuration = configuration
        self.keyRing = keyRing
    }

    /// An access token for `principal` (its subject, kind, client, roles per tenant and scopes).
    public func accessToken(for principal: Principal, now: Date) async throws -> IssuedToken {
        try await keyRing.prepare(now: now)
        let id = UUID().uuidString.lowercased()
        let expiresAt = now.addingTimeInterval(configuration.accessTokenLifetime)
        let claims = AccessTokenClaims(
            iss: configuration.issuer,
            sub: principal.subject,
            aud: AudienceClaim(value: [configuration.audience]),
            exp: ExpirationClaim(value: expiresAt),
            iat: IssuedAtClaim(value: now),
            nbf: NotBeforeClaim(value: now),
            jti: id,
            clientId: principal.clientId,
            scope: principal.scopes.isEmpty ? nil : principal.scopes.sorted().joined(separator: " "),
            kind: principal.kind.rawValue,
            roles: principal.roles.isEmpty ? nil : principal.roles.mapValues { $0.map(\.rawValue).sorted() }
        )
        return IssuedToken(
            token: try await keyRing.sign(claims, type: Self.accessTokenType),
            id: id,
            expiresAt: expiresAt
        )
    }

    /// An OpenID Connect ID token for a signed-in person, addressed to `clientId`.
    public func idToken(
        subject: String,
        clientId: String,
        nonce: String?,
        name: String?,
        username: String?,
        now: Date
    ) async throws -> String {
        let claims = IDTokenClaims(
            iss: configuration.issuer,
            sub: subject,
            aud: AudienceClaim(value: [clientId]),
            exp: ExpirationClaim(value: now.addingTimeInterval(configuration.accessTokenLifetime)),
            iat: IssuedAtClaim(value: now),
            nonce: nonce,
            name: name,
            preferredUsername: username
        )
        return try await keyRing.sign(claims)
    }
}
