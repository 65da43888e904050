/// A failure of the identity provider: a bad token, a refused grant, a throttled sign-in, bad input.
///
/// The code is opaque (new codes don't break callers); `==` compares codes only. `oauthError` is the RFC 6749
/// `error` value the HTTP edge answers with. `message` is safe to show to clients: it never contains a secret.
public struct IdentityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The RFC 6749 / RFC 6750 error value.
        public let oauthError: String
        private init(_ oauthError: String) { self.oauthError = oauthError }

        /// The bearer token is malformed, forged, expired, revoked or not meant for Machi (RFC 6750 `invalid_token`).
        public static let invalidToken = Code("invalid_token")
        /// A parameter is missing, repeated or malformed.
        public static let invalidRequest = Code("invalid_request")
        /// Client authentication failed.
        public static let invalidClient = Code("invalid_client")
        /// The code, refresh token or credentials are invalid, expired, revoked or used already.
        public static let invalidGrant = Code("invalid_grant")
        /// The client may not use this grant type.
        public static let unauthorizedClient = Code("unauthorized_client")
        public static let unsupportedGrantType = Code("unsupported_grant_type")
        public static let unsupportedResponseType = Code("unsupported_response_type")
        /// A requested scope is unknown or not allowed for the client.
        public static let invalidScope = Code("invalid_scope")
        /// The user or the consent step refused.
        public static let accessDenied = Code("access_denied")
        /// `prompt=none` but nobody is signed in (OpenID Connect Core §3.1.2.6).
        public static let loginRequired = Code("login_required")
        /// Too many failed sign-ins for this account and address: retry after `IdentityError.retryAfter` seconds.
        public static let throttled = Code("slow_down")
        /// No such user or client.
        public static let notFound = Code("not_found")
        /// The user or client exists already.
        public static let conflict = Code("conflict")

        public var description: String { oauthError }
    }

    public var code: Code
    public var message: String
    /// Seconds to wait before retrying (`throttled` only).
    public var retryAfter: Int?

    public init(_ code: Code, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { "\(code): \(message)" }

    public static func == (lhs: IdentityError, rhs: IdentityError) -> Bool { lhs.code == rhs.code }
}
