/// Fetches an external issuer's JWKS document (the app wires one that uses AsyncHTTPClient).
public protocol JWKSSource: Sendable {
    /// The JWKS JSON at `url`.
    func jwks(at url: String) async throws -> String
}
