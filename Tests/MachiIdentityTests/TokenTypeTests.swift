import Foundation
import JWTKit
import MachiCore
import Testing

@testable import MachiIdentity

/// Machi signs ID tokens and access tokens with the same key: only a token typed `at+jwt` is an access token.
@Suite struct TokenTypeTests {
    @Test func aGenuinelySignedTokenOfAnotherTypeIsRefused() async throws {
        let fixture = try IdentityFixture()
        let now = fixture.time.now
        try await fixture.oauth.keyRing.prepare(now: now)
        let claims = AccessTokenClaims(
            iss: IdentityFixture.issuer,
            sub: "urn:machi:person:00000000-0000-4000-8000-000000000001",
            aud: AudienceClaim(value: ["machi"]),
            exp: ExpirationClaim(value: now.addingTimeInterval(300)),
            iat: IssuedAtClaim(value: now),
            jti: "id-1",
            kind: "person",
            roles: ["": ["admin"]]
        )
        let typed = try await fixture.oauth.keyRing.sign(claims, type: TokenIssuer.accessTokenType)
        _ = try await fixture.oauth.verifier.principal(bearer: typed)
        let untyped = try await fixture.oauth.keyRing.sign(claims, type: "JWT")
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: untyped) } == .invalidToken
        )
    }
}
