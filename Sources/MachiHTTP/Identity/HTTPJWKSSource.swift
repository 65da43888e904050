import AsyncHTTPClient
import Foundation
public import MachiIdentity
import NIOCore
import NIOHTTP1

/// Fetches external issuers' JWKS over HTTP(S) with AsyncHTTPClient (10 s timeout, at most 1 MiB).
public struct HTTPJWKSSource: JWKSSource {
    public init() {}

    public func jwks(at url: String) async throws -> String {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        guard response.status == .ok else {
            throw IdentityError(.invalidToken, "the issuer's JWKS could not be fetched")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        return String(buffer: body)
    }
}
