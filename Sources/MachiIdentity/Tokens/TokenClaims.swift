import Foundation
import JWTKit

/// The claims of a Machi access token (RFC 9068 style): subject = common ID, `roles` per tenant, `scope`.
struct AccessTokenClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim?
    var nbf: NotBeforeClaim?
    var jti: String?
    var clientId: String?
    var scope: String?
    /// `person`, `application` or `device` (Machi tokens only).
    var kind: String?
    /// Role names per tenant (`""` = default tenant).
    var roles: [String: [String]]?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nbf, jti, scope, kind, roles
        case clientId = "client_id"
    }

    /// Claims are checked by `AccessTokenVerifier` against its own clock, after the signature.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The claims of an OpenID Connect ID token.
struct IDTokenClaims: JWTPayload {
    var iss: String
    var sub: String
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var nonce: String?
    var name: String?
    var preferredUsername: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, name
        case preferredUsername = "preferred_username"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
