import Foundation
public import Hummingbird
import Logging
import MachiCore
public import MachiIdentity
import NIOCore

/// Turns `Authorization: Bearer <jwt>` into `AppRequestContext.principal`.
///
/// - `required` mode: no token → `.anonymous`; a token that does not verify (forged, expired, wrong issuer or
///   audience, revoked, `alg: none`) → 401 with `WWW-Authenticate: Bearer error="invalid_token"` and a
///   ProblemDetails body (an RFC 6750 JSON error under `/oauth2/`).
/// - `open` mode: everything is allowed; a valid token still names the caller (marked `isOpenMode`), anything else
///   is `.openMode`.
///
/// `/health` and `/metrics` are never authenticated. `Basic` credentials are left to the token endpoint (client
/// authentication); IoT API keys to the IoT routes.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let mode: AuthMode
    let verifier: AccessTokenVerifier?

    /// - Parameter verifier: `nil` only in open mode.
    public init(mode: AuthMode, verifier: AccessTokenVerifier?) {
        self.mode = mode
        self.verifier = verifier
    }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let path = request.uri.path
        if path == "/health" || path == "/metrics" {
            context.principal = mode == .open ? .openMode : .anonymous
            return try await next(request, context)
        }
        let token = Self.bearerToken(request)
        switch mode {
        case .open:
            context.principal = .openMode
            if let token, let verifier, var principal = try? await verifier.principal(bearer: token) {
                principal.isOpenMode = true
                context.principal = principal
            }
        case .required:
            guard let token else {
                // Authorization: see AccessPolicy (issue 6). Until it exists, anonymous callers may do everything.
                context.principal = .anonymous
                return try await next(request, context)
            }
            guard let verifier else { return Self.unauthorized(path: path, reason: "tokens are not accepted here") }
            do {
                context.principal = try await verifier.principal(bearer: token)
            } catch let error as IdentityError {
                context.logger.debug("bearer token refused", metadata: ["auth.reason": "\(error.message)"])
                return Self.unauthorized(path: path, reason: error.message)
            }
        }
        return try await next(request, context)
    }

    /// The bearer token of the request, if it has an `Authorization: Bearer` header.
    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// A 401 for a token that does not verify (RFC 6750 §3).
    static func unauthorized(path: String, reason: String) -> Response {
        var headers = HTTPFields()
        let description = reason.replacingOccurrences(of: "\"", with: "'")
        headers[.wwwAuthenticate] = "Bearer error=\"invalid_token\", error_description=\"\(description)\""
        headers[.cacheControl] = "no-store"
        if path.hasPrefix("/oauth2/") {
            return OAuthResponse.json(
                ["error": "invalid_token", "error_description": reason],
                status: .unauthorized,
                headers: headers
            )
        }
        var response = NGSIResponse.problem(
            NGSIError(.unauthenticated, "Invalid bearer token: \(reason)", title: "The request is not authenticated")
        )
        response.headers.append(contentsOf: headers)
        return response
    }
}
