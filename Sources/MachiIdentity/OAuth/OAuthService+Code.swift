import Foundation
public import MachiCore
public import MachiStore

extension OAuthService {
    /// A checked authorization request (`/oauth2/authorize`).
    public struct AuthorizationRequest: Sendable, Hashable {
        public var client: ClientRecord
        public var redirectURI: String
        public var scopes: Set<String>
        public var state: String
        public var codeChallenge: String
        public var nonce: String?
    }

    /// Where to send the browser after an authorization request: the client's redirect URI with a code or an
    /// error (RFC 6749 §4.1.2).
    public static func redirect(_ redirectURI: String, _ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127))
        )
        allowed.insert(charactersIn: "-._~")
        let query = parameters.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
        }.joined(separator: "&")
        return redirectURI + (redirectURI.contains("?") ? "&" : "?") + query
    }

    /// An authorization request that failed after its redirect URI was checked: the error goes back to the client.
    public struct RedirectedError: Error, Sendable {
        public var redirectURI: String
        public var state: String?
        public var error: IdentityError

        public init(redirectURI: String, state: String?, error: IdentityError) {
            self.redirectURI = redirectURI
            self.state = state
            self.error = error
        }

        /// The URL to redirect the browser to.
        public var location: String {
            OAuthService.redirect(
                redirectURI,
                [("error", error.code.oauthError), ("error_description", error.message)]
                    + (state.map { [("state", $0)] } ?? [])
            )
        }
    }

    /// Checks the parameters of an authorization request.
    /// - Throws: `IdentityError` for a bad client or redirect URI (show an error page, never redirect);
    ///   `RedirectedError` for anything else (send it to the client's redirect URI).
    public func authorizationRequest(_ parameters: [String: String]) async throws -> AuthorizationRequest {
        guard let clientId = parameters["client_id"], let client = try await store.client(id: clientId) else {
            throw IdentityError(.invalidClient, "unknown client")
        }
        let redirectURI: String
        if let given = parameters["redirect_uri"] {
            guard client.redirectURIs.contains(given) else {
                throw IdentityError(.invalidRequest, "redirect_uri is not registered for this client")
            }
            redirectURI = given
        } else if client.redirectURIs.count == 1 {
            redirectURI = client.redirectURIs[0]
        } else {
            throw IdentityError(.invalidRequest, "redirect_uri is required")
        }
        let state = parameters["state"]
        func fail(_ error: IdentityError) -> RedirectedError {
            RedirectedError(redirectURI: redirectURI, state: state, error: error)
        }
        guard parameters["response_type"] == "code" else {
            throw fail(IdentityError(.unsupportedResponseType, "response_type must be code"))
        }
        guard client.grantTypes.contains("authorization_code") else {
            throw fail(IdentityError(.unauthorizedClient, "the client may not use the authorization code flow"))
        }
        guard let state, !state.isEmpty, state.count <= 512 else {
            throw fail(IdentityError(.invalidRequest, "state is required"))
        }
        let challenge: String
        let scopes: Set<String>
        do {
            challenge = try PKCE.validateChallenge(
                parameters["code_challenge"],
                method: parameters["code_challenge_method"]
            )
            scopes = try Self.grantedScopes(parameters["scope"], client: client)
        } catch let error as IdentityError {
            throw fail(error)
        }
        return AuthorizationRequest(
            client: client,
            redirectURI: redirectURI,
            scopes: scopes,
            state: state,
            codeChallenge: challenge,
            nonce: parameters["nonce"].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// Issues a one-use authorization code for `subject` (stored only as its hash).
    public func issueCode(for request: AuthorizationRequest, subject: String) async throws -> String {
        let code = SecretToken.generate()
        try await store.insertAuthorizationCode(
            AuthorizationCodeRecord(
                codeHash: SecretToken.hash(code),
                clientId: request.client.clientId,
                subject: subject,
                redirectURI: request.redirectURI,
                scopes: request.scopes,
                codeChallenge: request.codeChallenge,
                nonce: request.nonce,
                expiresAt: now().addingTimeInterval(configuration.authorizationCodeLifetime),
                familyId: UUID().uuidString.lowercased()
            )
        )
        return code
    }

    /// `grant_type=authorization_code`: checks the code, the client, the redirect URI and the PKCE verifier.
    /// A code presented a second time is refused and every token issued for it is revoked (RFC 6749 §4.1.2).
    public func exchangeCode(
        _ code: String?,
        redirectURI: String?,
        clientId: String?,
        clientSecret: String?,
        codeVerifier: String?
    ) async throws -> TokenResponse {
        let client = try await authenticateClient(id: clientId, secret: clientSecret)
        guard let code, !code.isEmpty else { throw IdentityError(.invalidRequest, "code is required") }
        guard let record = try await store.consumeAuthorizationCode(hash: SecretToken.hash(code), at: now()) else {
            throw IdentityError(.invalidGrant, "unknown authorization code")
        }
        if record.usedAt != nil {
            try await store.revokeTokenFamily(record.familyId)
            throw IdentityError(.invalidGrant, "the authorization code was used already; its tokens are revoked")
        }
        guard record.clientId == client.clientId else {
            throw IdentityError(.invalidGrant, "the code belongs to another client")
        }
        guard record.expiresAt > now() else { throw IdentityError(.invalidGrant, "the authorization code has expired") }
        guard redirectURI == record.redirectURI else {
            throw IdentityError(.invalidGrant, "redirect_uri does not match")
        }
        guard let codeVerifier, PKCE.verify(verifier: codeVerifier, challenge: record.codeChallenge) else {
            throw IdentityError(.invalidGrant, "the PKCE code_verifier does not match")
        }
        guard let user = try await store.user(subject: record.subject), !user.disabled else {
            throw IdentityError(.invalidGrant, "the user cannot sign in")
        }
        return try await issueUserTokens(
            user: user,
            client: client,
            scopes: record.scopes,
            familyId: record.familyId,
            nonce: record.nonce
        )
    }

    /// `grant_type=refresh_token`: rotates the refresh token. A used (rotated) token presented again revokes the
    /// whole family, because either the client or a thief holds a copy.
    public func refresh(
        _ refreshToken: String?,
        clientId: String?,
        clientSecret: String?,
        scope: String?
    ) async throws -> TokenResponse {
        let client = try await authenticateClient(id: clientId, secret: clientSecret)
        guard let refreshToken, !refreshToken.isEmpty else {
            throw IdentityError(.invalidRequest, "refresh_token is required")
        }
        guard let record = try await store.consumeRefreshToken(hash: SecretToken.hash(refreshToken), at: now()),
            record.clientId == client.clientId
        else { throw IdentityError(.invalidGrant, "unknown refresh token") }
        if record.revoked { throw IdentityError(.invalidGrant, "the refresh token has been revoked") }
        if record.usedAt != nil {
            try await store.revokeTokenFamily(record.familyId)
            throw IdentityError(.invalidGrant, "the refresh token was used already; its family is revoked")
        }
        guard record.expiresAt > now() else { throw IdentityError(.invalidGrant, "the refresh token has expired") }
        guard client.grantTypes.contains("refresh_token") else {
            throw IdentityError(.unauthorizedClient, "the client may not use refresh tokens")
        }
        var scopes = record.scopes
        if let scope, !scope.isEmpty {
            let asked = Set(scope.split(separator: " ").map(String.init))
            guard asked.isSubset(of: record.scopes) else {
                throw IdentityError(.invalidScope, "more scopes than granted")
            }
            scopes = asked
        }
        guard let user = try await store.user(subject: record.subject), !user.disabled else {
            try await store.revokeTokenFamily(record.familyId)
            throw IdentityError(.invalidGrant, "the user cannot sign in")
        }
        return try await issueUserTokens(
            user: user,
            client: client,
            scopes: scopes,
            familyId: record.familyId,
            nonce: nil
        )
    }

    /// An access token (and ID token for `openid`) for a person, and a refresh token of `familyId`. The refresh
    /// token is always recorded (it ties the access token to the family, for revocation) but handed out only to
    /// clients allowed the `refresh_token` grant.
    func issueUserTokens(
        user: UserRecord,
        client: ClientRecord,
        scopes: Set<String>,
        familyId: String,
        nonce: String?
    ) async throws -> TokenResponse {
        let now = self.now()
        let principal = Principal(
            subject: user.subject,
            kind: .person,
            clientId: client.clientId,
            roles: Self.roles(user.roles),
            scopes: scopes
        )
        let access = try await issuer.accessToken(for: principal, now: now)
        try await recordTokenIssue(to: principal, tokenId: access.id, grant: "user")
        let refresh = SecretToken.generate()
        try await store.insertRefreshToken(
            RefreshTokenRecord(
                tokenHash: SecretToken.hash(refresh),
                familyId: familyId,
                clientId: client.clientId,
                subject: user.subject,
                scopes: scopes,
                expiresAt: now.addingTimeInterval(configuration.refreshTokenLifetime),
                accessTokenId: access.id,
                accessTokenExpiresAt: access.expiresAt
            )
        )
        var idToken: String?
        if scopes.contains(Scope.openID) {
            idToken = try await issuer.idToken(
                subject: user.subject,
                clientId: client.clientId,
                nonce: nonce,
                name: scopes.contains(Scope.profile) ? user.displayName : nil,
                username: scopes.contains(Scope.profile) ? user.username : nil,
                now: now
            )
        }
        return TokenResponse(
            accessToken: access.token,
            expiresIn: Int(configuration.accessTokenLifetime),
            refreshToken: client.grantTypes.contains("refresh_token") ? refresh : nil,
            idToken: idToken,
            scope: scopes.sorted().joined(separator: " ")
        )
    }

    /// Token revocation (RFC 7009): a refresh token revokes its family (and their access tokens); an access token
    /// is recorded as revoked until it expires. Unknown tokens are ignored, as the RFC asks.
    public func revoke(token: String?, clientId: String?, clientSecret: String?) async throws {
        let client = try await authenticateClient(id: clientId, secret: clientSecret)
        guard let token, !token.isEmpty else { throw IdentityError(.invalidRequest, "token is required") }
        if let record = try await store.refreshToken(hash: SecretToken.hash(token)) {
            if record.clientId == client.clientId { try await store.revokeTokenFamily(record.familyId) }
            return
        }
        guard let principal = try? await verifier.principal(bearer: token), principal.clientId == client.clientId,
            let parts = try? AccessTokenVerifier.unverifiedParts(token),
            let jti = parts.1["jti"] as? String, let exp = (parts.1["exp"] as? NSNumber)?.doubleValue
        else { return }
        try await store.revokeAccessToken(id: jti, expiresAt: Date(timeIntervalSince1970: exp))
    }

    /// The OpenID Connect userinfo of a principal.
    public func userInfo(for principal: Principal) async throws -> [String: String] {
        var info = ["sub": principal.subject]
        if principal.kind == .person, principal.scopes.contains(Scope.profile),
            let user = try await store.user(subject: principal.subject)
        {
            info["name"] = user.displayName
            info["preferred_username"] = user.username
        }
        return info
    }
}
