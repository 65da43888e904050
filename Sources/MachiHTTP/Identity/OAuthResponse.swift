import Foundation
import HTTPTypes
import Hummingbird
import MachiIdentity
import NIOCore

/// Responses of the OAuth 2.0 endpoints: JSON bodies that are never cached, RFC 6749 §5.2 errors.
enum OAuthResponse {
    static func json(
        _ object: [String: Any],
        status: HTTPResponse.Status = .ok,
        headers extra: HTTPFields = [:]
    ) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Pragma")!] = "no-cache"
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func raw(_ data: Data, contentType: String = "application/json", cache: String = "no-store") -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType, .cacheControl: cache],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// An RFC 6749 error: 401 (with a `WWW-Authenticate` challenge) for a failed client authentication, 429 with
    /// `Retry-After` for throttling, otherwise 400.
    static func error(_ error: IdentityError, basicAuthUsed: Bool = false) -> Response {
        var headers = HTTPFields()
        var status: HTTPResponse.Status = .badRequest
        if error.code == .invalidClient {
            status = .unauthorized
            headers[.wwwAuthenticate] = #"Basic realm="machi""#
        } else if error.code == .throttled {
            status = .tooManyRequests
            headers[.retryAfter] = "\(error.retryAfter ?? 1)"
        }
        return json(
            ["error": error.code.oauthError, "error_description": error.message],
            status: status,
            headers: headers
        )
    }

    static func tokens(_ response: OAuthService.TokenResponse) -> Response {
        var body: [String: Any] = [
            "access_token": response.accessToken,
            "token_type": "Bearer",
            "expires_in": response.expiresIn,
            "scope": response.scope,
        ]
        if let refresh = response.refreshToken { body["refresh_token"] = refresh }
        if let idToken = response.idToken { body["id_token"] = idToken }
        return json(body)
    }
}
