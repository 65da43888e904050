import Foundation
import JWTKit
import MachiCore
import MachiIdentity
import MachiStore
import Synchronization
import Testing

/// Tokens of another OpenID provider: accepted from a configured issuer whose JWKS holds the key, mapped to the
/// linked Machi user or to a pseudonymous external subject.
@Suite struct ExternalIssuerTests {
    static let issuer = "https://idp.example"

    /// The external provider: its key and a JWKS source that counts fetches.
    final class Provider: JWKSSource {
        let key = ES256PrivateKey()
        let fetches = Mutex(0)

        func jwks(at url: String) async throws -> String {
            fetches.withLock { $0 += 1 }
            let parameters = try #require(key.publicKey.parameters)
            let jwk = JWK.ecdsa(.es256, identifier: "idp-1", x: parameters.x, y: parameters.y, curve: .p256)
            return String(decoding: try JSONEncoder().encode(JWKS(keys: [jwk])), as: UTF8.self)
        }

        func token(
            sub: String,
            iss: String = ExternalIssuerTests.issuer,
            exp: Date,
            signer: ES256PrivateKey? = nil
        ) async throws -> String {
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: signer ?? key, kid: "idp-1")
            return try await keys.sign(
                ForgedClaims([
                    "iss": iss, "sub": sub, "aud": ["machi"], "exp": NSNumber(value: exp.timeIntervalSince1970),
                    "scope": "ngsi-ld:read",
                ])
            )
        }
    }

    func fixture(_ provider: Provider) throws -> IdentityFixture {
        try IdentityFixture(
            externalIssuers: [ExternalIssuer(issuer: Self.issuer, jwksURL: "https://idp.example/jwks")],
            jwksSource: provider
        )
    }

    @Test func anUnlinkedSubjectIsPseudonymousWithoutRoles() async throws {
        let provider = Provider()
        let fixture = try fixture(provider)
        let token = try await provider.token(sub: "taro@example.jp", exp: fixture.time.now.addingTimeInterval(300))
        let principal = try await fixture.oauth.verifier.principal(bearer: token)
        #expect(principal.subject.hasPrefix("urn:machi:external:"))
        #expect(!principal.subject.contains("taro"))
        #expect(principal.roles.isEmpty)
        #expect(principal.scopes == [Scope.read])
        _ = try await fixture.oauth.verifier.principal(bearer: token)
        #expect(provider.fetches.withLock { $0 } == 1)
    }

    @Test func aLinkedSubjectActsAsTheMachiUser() async throws {
        let provider = Provider()
        let fixture = try fixture(provider)
        let (user, _) = try await fixture.seed()
        try await fixture.directory.linkExternalID("alice", scheme: "oidc:\(Self.issuer)", value: "taro@example.jp")
        let token = try await provider.token(sub: "taro@example.jp", exp: fixture.time.now.addingTimeInterval(300))
        let principal = try await fixture.oauth.verifier.principal(bearer: token)
        #expect(principal.subject == user.subject)
        #expect(principal.roles(in: "") == [.admin])
    }

    @Test func forgedExpiredAndUnknownIssuerTokensAreRefused() async throws {
        let provider = Provider()
        let fixture = try fixture(provider)
        let later = fixture.time.now.addingTimeInterval(300)
        let wrongKey = try await provider.token(sub: "taro", exp: later, signer: ES256PrivateKey())
        let expired = try await provider.token(sub: "taro", exp: fixture.time.now.addingTimeInterval(-61))
        let unknown = try await provider.token(sub: "taro", iss: "https://other-idp.example", exp: later)
        for token in [wrongKey, expired, unknown] {
            #expect(
                await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: token) }
                    == .invalidToken
            )
        }
        // Within the 60 s leeway for clock skew, an external token still counts.
        let skewed = try await provider.token(sub: "taro", exp: fixture.time.now.addingTimeInterval(-30))
        _ = try await fixture.oauth.verifier.principal(bearer: skewed)
    }
}
