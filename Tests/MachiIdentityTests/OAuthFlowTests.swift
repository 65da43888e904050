import Foundation
import MachiCore
import MachiIdentity
import MachiStore
import Testing

@Suite struct OAuthFlowTests {
    @Test func authorizationCodeWithPKCEIssuesTokensForTheUser() async throws {
        let fixture = try IdentityFixture()
        let (user, _) = try await fixture.seed()
        let tokens = try await fixture.exchange(try await fixture.code())
        let principal = try await fixture.oauth.verifier.principal(bearer: tokens.accessToken)
        #expect(principal.subject == user.subject)
        #expect(principal.kind == .person)
        #expect(principal.clientId == "app")
        #expect(principal.roles(in: "") == [.admin])
        #expect(principal.scopes == [Scope.read, Scope.openID])
        #expect(tokens.refreshToken != nil)
        #expect(tokens.idToken != nil)
    }

    @Test func theIDTokenNamesTheUserForTheClientAndIsNoAccessToken() async throws {
        let fixture = try IdentityFixture()
        let (user, _) = try await fixture.seed()
        let tokens = try await fixture.exchange(try await fixture.code())
        let idToken = try #require(tokens.idToken)
        let segment = String(idToken.split(separator: ".")[1])
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let data = try #require(Data(base64Encoded: base64))
        let claims = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(claims["sub"] as? String == user.subject)
        #expect(claims["aud"] as? [String] == ["app"] || claims["aud"] as? String == "app")
        #expect(claims["nonce"] as? String == "n-0S6")
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: idToken) } == .invalidToken
        )
    }

    @Test func plainPKCEAndMissingChallengesAreRefused() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let base = [
            "response_type": "code", "client_id": "app", "redirect_uri": "https://app.example/callback", "state": "s",
        ]
        for extra in [
            ["code_challenge": IdentityFixture.verifier, "code_challenge_method": "plain"],
            ["code_challenge": IdentityFixture.verifier],
            [:],
        ] {
            do {
                _ = try await fixture.oauth.authorizationRequest(base.merging(extra) { $1 })
                Issue.record("accepted \(extra)")
            } catch let error as OAuthService.RedirectedError {
                #expect(error.error.code == .invalidRequest)
                #expect(error.location.hasPrefix("https://app.example/callback?error=invalid_request"))
            }
        }
    }

    @Test func anUnregisteredRedirectURIIsNeverRedirectedTo() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let code = await identityErrorCode {
            _ = try await fixture.oauth.authorizationRequest([
                "response_type": "code", "client_id": "app", "redirect_uri": "https://evil.example/", "state": "s",
                "code_challenge": PKCE.challenge(for: IdentityFixture.verifier), "code_challenge_method": "S256",
            ])
        }
        #expect(code == .invalidRequest)
    }

    @Test func aWrongVerifierIsRefused() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let code = try await fixture.code()
        let other = String(repeating: "x", count: 43)
        #expect(await identityErrorCode { _ = try await fixture.exchange(code, verifier: other) } == .invalidGrant)
    }

    @Test func aReusedCodeIsRefusedAndRevokesTheTokensIssuedForIt() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let code = try await fixture.code()
        let first = try await fixture.exchange(code)
        _ = try await fixture.oauth.verifier.principal(bearer: first.accessToken)
        #expect(await identityErrorCode { _ = try await fixture.exchange(code) } == .invalidGrant)
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: first.accessToken) }
                == .invalidToken
        )
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.refresh(first.refreshToken, clientId: "app", clientSecret: nil, scope: nil)
            } == .invalidGrant
        )
    }

    @Test func anExpiredCodeIsRefused() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let code = try await fixture.code()
        fixture.time.advance(fixture.oauth.configuration.authorizationCodeLifetime + 1)
        #expect(await identityErrorCode { _ = try await fixture.exchange(code) } == .invalidGrant)
    }

    @Test func refreshTokensRotateAndReuseRevokesTheFamily() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let first = try await fixture.exchange(try await fixture.code())
        let second = try await fixture.oauth.refresh(first.refreshToken, clientId: "app", clientSecret: nil, scope: nil)
        #expect(second.refreshToken != first.refreshToken)
        _ = try await fixture.oauth.verifier.principal(bearer: second.accessToken)
        // The rotated-out token comes back: someone holds a copy. The whole family dies.
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.refresh(first.refreshToken, clientId: "app", clientSecret: nil, scope: nil)
            } == .invalidGrant
        )
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.refresh(second.refreshToken, clientId: "app", clientSecret: nil, scope: nil)
            } == .invalidGrant
        )
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: second.accessToken) }
                == .invalidToken
        )
    }

    @Test func refreshCannotWidenScopesOrCrossClients() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        _ = try await fixture.directory.addClient(
            clientId: "other",
            confidential: false,
            redirectURIs: ["https://other.example/cb"],
            scopes: [Scope.read],
            grantTypes: ["authorization_code", "refresh_token"]
        )
        let tokens = try await fixture.exchange(try await fixture.code())
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.refresh(
                    tokens.refreshToken,
                    clientId: "app",
                    clientSecret: nil,
                    scope: "profile"
                )
            } == .invalidScope
        )
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.refresh(
                    tokens.refreshToken,
                    clientId: "other",
                    clientSecret: nil,
                    scope: nil
                )
            } == .invalidGrant
        )
    }

    @Test func revocationOfRefreshAndAccessTokens() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let tokens = try await fixture.exchange(try await fixture.code())
        try await fixture.oauth.revoke(token: tokens.refreshToken, clientId: "app", clientSecret: nil)
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.refresh(tokens.refreshToken, clientId: "app", clientSecret: nil, scope: nil)
            } == .invalidGrant
        )
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: tokens.accessToken) }
                == .invalidToken
        )

        let again = try await fixture.exchange(try await fixture.code())
        try await fixture.oauth.revoke(token: again.accessToken, clientId: "app", clientSecret: nil)
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: again.accessToken) }
                == .invalidToken
        )
        // Unknown tokens are ignored (RFC 7009 §2.2).
        try await fixture.oauth.revoke(token: "not-a-token", clientId: "app", clientSecret: nil)
    }

    @Test func clientCredentialsNeedTheRightSecretAndAConfidentialClient() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let (_, secret) = try await fixture.directory.addClient(
            clientId: "sensor-hub",
            confidential: true,
            scopes: [Scope.read, Scope.write],
            grantTypes: ["client_credentials"],
            tenant: "shiojiri",
            roles: ["shiojiri": ["operator"]]
        )
        let tokens = try await fixture.oauth.clientCredentials(
            clientId: "sensor-hub",
            clientSecret: secret,
            scope: "ngsi-ld:write"
        )
        let principal = try await fixture.oauth.verifier.principal(bearer: tokens.accessToken)
        #expect(principal.subject == "urn:machi:application:sensor-hub")
        #expect(principal.kind == .application)
        #expect(principal.roles(in: "shiojiri") == [.operator])
        #expect(principal.scopes == [Scope.write])
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.clientCredentials(clientId: "sensor-hub", clientSecret: "wrong", scope: nil)
            } == .invalidClient
        )
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.clientCredentials(
                    clientId: "sensor-hub",
                    clientSecret: secret,
                    scope: "machi:admin"
                )
            } == .invalidScope
        )
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.clientCredentials(clientId: "app", clientSecret: nil, scope: nil)
            }
                == .unauthorizedClient
        )
    }

    @Test func aDisabledUserCannotSignInOrRefresh() async throws {
        let fixture = try IdentityFixture()
        _ = try await fixture.seed()
        let tokens = try await fixture.exchange(try await fixture.code())
        try await fixture.directory.setDisabled("alice", true)
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.refresh(tokens.refreshToken, clientId: "app", clientSecret: nil, scope: nil)
            } == .invalidGrant
        )
        #expect(
            await identityErrorCode {
                _ = try await fixture.oauth.signIn(
                    username: "alice",
                    password: "correct horse battery",
                    address: "10.0.0.1"
                )
            } == .accessDenied
        )
    }
}
