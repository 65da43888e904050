import Foundation
public import Hummingbird
import MachiCore
public import MachiIdentity
import NIOCore

/// The OAuth 2.0 / OpenID Connect provider's endpoints:
/// `POST /oauth2/token`, `GET|POST /oauth2/authorize` (the sign-in page), `POST /oauth2/revoke`,
/// `GET|POST /oauth2/userinfo`, `GET /oauth2/logout`, `GET /.well-known/openid-configuration`,
/// `GET /.well-known/jwks.json`.
public enum OAuthRouter {
    /// The largest form body the endpoints read.
    static let maxFormBytes = 16 * 1024

    /// Registers the endpoints. Add `AuthenticationMiddleware` to the router before (userinfo reads the principal).
    public static func register(on router: Router<AppRequestContext>, service: OAuthService) {
        let issuer = service.configuration.issuer
        router.get(".well-known/openid-configuration") { _, _ in
            OAuthResponse.json(discovery(issuer: issuer), headers: [:])
        }
        router.get(".well-known/jwks.json") { _, _ in
            OAuthResponse.raw(
                try await service.keyRing.jwksJSON(),
                contentType: "application/jwk-set+json",
                cache: "max-age=300"
            )
        }
        router.post("oauth2/token") { request, context in
            let form: [String: String]
            switch try await oauthForm(request, context: context) {
            case .success(let fields): form = fields
            case .failure(let error): return OAuthResponse.error(error)
            }
            let (clientId, clientSecret, basic) = clientCredentials(request, form: form)
            do {
                let response: OAuthService.TokenResponse
                switch form["grant_type"] {
                case "client_credentials":
                    response = try await service.clientCredentials(
                        clientId: clientId,
                        clientSecret: clientSecret,
                        scope: form["scope"]
                    )
                case "authorization_code":
                    response = try await service.exchangeCode(
                        form["code"],
                        redirectURI: form["redirect_uri"],
                        clientId: clientId,
                        clientSecret: clientSecret,
                        codeVerifier: form["code_verifier"]
                    )
                case "refresh_token":
                    response = try await service.refresh(
                        form["refresh_token"],
                        clientId: clientId,
                        clientSecret: clientSecret,
                        scope: form["scope"]
                    )
                case nil:
                    throw IdentityError(.invalidRequest, "grant_type is required")
                default:
                    throw IdentityError(
                        .unsupportedGrantType,
                        "supported: client_credentials, authorization_code, refresh_token"
                    )
                }
                return OAuthResponse.tokens(response)
            } catch let error as IdentityError {
                return OAuthResponse.error(error, basicAuthUsed: basic)
            }
        }
        router.post("oauth2/revoke") { request, context in
            let form: [String: String]
            switch try await oauthForm(request, context: context) {
            case .success(let fields): form = fields
            case .failure(let error): return OAuthResponse.error(error)
            }
            let (clientId, clientSecret, basic) = clientCredentials(request, form: form)
            do {
                try await service.revoke(token: form["token"], clientId: clientId, clientSecret: clientSecret)
                return Response(status: .ok, headers: [.cacheControl: "no-store"])
            } catch let error as IdentityError {
                return OAuthResponse.error(error, basicAuthUsed: basic)
            }
        }
        let userInfo: @Sendable (Request, AppRequestContext) async throws -> Response = { _, context in
            guard context.principal.kind != .anonymous else {
                return OAuthResponse.json(
                    ["error": "invalid_token", "error_description": "a bearer token is required"],
                    status: .unauthorized,
                    headers: [.wwwAuthenticate: "Bearer"]
                )
            }
            return OAuthResponse.json(try await service.userInfo(for: context.principal))
        }
        router.get("oauth2/userinfo", use: userInfo)
        router.post("oauth2/userinfo", use: userInfo)
        SignInController(service: service).register(on: router)
    }

    /// The OpenID Provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414).
    static func discovery(issuer: String) -> [String: Any] {
        [
            "issuer": issuer,
            "authorization_endpoint": "\(issuer)/oauth2/authorize",
            "token_endpoint": "\(issuer)/oauth2/token",
            "userinfo_endpoint": "\(issuer)/oauth2/userinfo",
            "revocation_endpoint": "\(issuer)/oauth2/revoke",
            "end_session_endpoint": "\(issuer)/oauth2/logout",
            "jwks_uri": "\(issuer)/.well-known/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": Scope.all,
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "name", "preferred_username", "nonce"],
        ]
    }

    /// The fields of an `application/x-www-form-urlencoded` body (a repeated field is a bad request).
    static func formFields(_ request: Request, context: AppRequestContext) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: maxFormBytes)
        return try parseForm(String(buffer: buffer))
    }

    /// The form of a token or revocation request; a malformed one is an RFC 6749 `invalid_request`.
    static func oauthForm(
        _ request: Request,
        context: AppRequestContext
    ) async throws -> Result<[String: String], IdentityError> {
        do {
            return .success(try await formFields(request, context: context))
        } catch let error as HTTPError where error.status == .badRequest {
            return .failure(IdentityError(.invalidRequest, "a form field is repeated"))
        }
    }

    static func parseForm(_ text: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decodeFormComponent(parts[0])
            let value = parts.count > 1 ? decodeFormComponent(parts[1]) : ""
            guard fields[name] == nil else {
                throw HTTPError(.badRequest, message: "a form field is repeated")
            }
            fields[name] = value
        }
        return fields
    }

    static func decodeFormComponent(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }

    /// Client id and secret from HTTP Basic (`client_secret_basic`, form-encoded inside as RFC 6749 §2.3.1 says)
    /// or from the form (`client_secret_post`, or `client_id` alone for a public client).
    static func clientCredentials(_ request: Request, form: [String: String]) -> (String?, String?, Bool) {
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
            let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
        {
            return (
                decodeFormComponent(decoded[..<colon]), decodeFormComponent(decoded[decoded.index(after: colon)...]),
                true
            )
        }
        return (form["client_id"], form["client_secret"], false)
    }
}
