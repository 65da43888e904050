import Crypto
public import Foundation

/// The provider's browser state, kept in cookies signed with a key derived from the deployment secret:
/// - the single-sign-on session (`machi_session`): the subject and an expiry, HMAC-signed, so one sign-in serves
///   every Machi app until it expires (8 hours) or the user signs out;
/// - the form token of the sign-in page: an HMAC of a random per-browser value held in an HttpOnly, SameSite
///   cookie (`machi_csrf`); a form posted from another site lacks the cookie, so its token does not match
///   (login CSRF).
public struct BrowserSessions: Sendable {
    public static let sessionCookie = "machi_session"
    public static let csrfCookie = "machi_csrf"
    /// How long a sign-in is remembered.
    public static let sessionLifetime: TimeInterval = 8 * 3600

    private let sessionKey: SymmetricKey
    private let formKey: SymmetricKey
    private let now: @Sendable () -> Date

    init(secret: [UInt8], now: @escaping @Sendable () -> Date) {
        let master = SymmetricKey(data: secret)
        sessionKey = SymmetricKey(
            data: Data(HMAC<SHA256>.authenticationCode(for: Data("machi-session".utf8), using: master))
        )
        formKey = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data("machi-form".utf8), using: master)))
        self.now = now
    }

    private static func mac(_ text: String, _ key: SymmetricKey) -> String {
        SecretToken.base64URL(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key))
    }

    /// A session cookie value for `subject`.
    public func session(for subject: String) -> String {
        let body = "\(subject)|\(Int(now().addingTimeInterval(Self.sessionLifetime).timeIntervalSince1970))"
        return SecretToken.base64URL(Array(body.utf8)) + "." + Self.mac(body, sessionKey)
    }

    /// The subject of a valid, unexpired session cookie.
    public func subject(fromSession value: String) -> String? {
        let parts = value.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let bytes = Self.decodeBase64URL(parts[0]) else { return nil }
        let body = String(decoding: bytes, as: UTF8.self)
        guard SecretToken.constantTimeEqual(Self.mac(body, sessionKey), parts[1]) else { return nil }
        let fields = body.split(separator: "|").map(String.init)
        guard fields.count == 2, let expiry = Double(fields[1]), expiry > now().timeIntervalSince1970 else {
            return nil
        }
        return fields[0]
    }

    /// A new random per-browser value for the CSRF cookie.
    public func newBrowserNonce() -> String { SecretToken.generate() }

    /// The form token for a browser's CSRF cookie value.
    public func formToken(browserNonce: String) -> String { Self.mac(browserNonce, formKey) }

    /// Whether a posted form token belongs to the browser's CSRF cookie.
    public func checkFormToken(_ token: String?, browserNonce: String?) -> Bool {
        guard let token, let browserNonce, !browserNonce.isEmpty else { return false }
        return SecretToken.constantTimeEqual(formToken(browserNonce: browserNonce), token)
    }

    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { [UInt8]($0) }
    }
}
