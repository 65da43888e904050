public import Foundation
import JWTKit
public import MachiCore
public import MachiStore

/// Turns a bearer token into a `Principal`, or refuses it.
///
/// A token is accepted only if its header names an allowed algorithm (ES256 for Machi's own tokens; never `none`
/// or an HMAC algorithm), its signature verifies with a key of its issuer (Machi's `KeyRing`, or an external
/// issuer's JWKS), and its claims hold: `iss` is Machi or a configured external issuer, `aud` includes the
/// expected audience, `exp` is in the future, `nbf`/`iat` are not, and (Machi tokens) its `jti` is not revoked.
///
/// ```swift
/// let principal = try await verifier.principal(bearer: token)
/// ```
public struct AccessTokenVerifier: Sendable {
    let configuration: IdentityConfiguration
    let keyRing: KeyRing
    let store: any IdentityStore
    let pseudonymizer: Pseudonymizer
    let externalKeys: ExternalKeyCache?
    let cache: VerifiedTokenCache
    let now: @Sendable () -> Date

    /// Seconds of clock skew tolerated for external issuers' tokens (Machi's own tokens get none).
    static let externalLeeway: TimeInterval = 60
    static let externalAlgorithms: Set<String> = [
        "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA",
    ]

    /// - Parameters:
    ///   - jwksSource: fetches external issuers' keys; `nil` refuses every external token.
    ///   - now: the clock (tests move it).
    public init(
        configuration: IdentityConfiguration,
        keyRing: KeyRing,
        store: any IdentityStore,
        pseudonymizer: Pseudonymizer,
        jwksSource: (any JWKSSource)? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.configuration = configuration
        self.keyRing = keyRing
        self.store = store
        self.pseudonymizer = pseudonymizer
        self.externalKeys = jwksSource.map { ExternalKeyCache(source: $0) }
        self.cache = VerifiedTokenCache()
        self.now = now
    }

    /// The principal a bearer token stands for. Machi's own tokens are verified once and then served from a
    /// cache while they are valid (`VerifiedTokenCache`: revocations still hold).
    /// - Throws: `IdentityError.invalidToken` with a short reason (safe to return to the client).
    public func principal(bearer token: String) async throws -> Principal {
        let now = self.now()
        let revocations = store.revocations
        switch cache.lookup(token, now: now, revocations: revocations) {
        case .fresh(let principal):
            return principal
        case .recheck(var entry):
            if try await store.isAccessTokenRevoked(id: entry.jti) {
                cache.remove(token)
                throw IdentityError(.invalidToken, "the token has been revoked")
            }
            entry.checkedAt = now
            entry.revocations = revocations
            cache.insert(token, entry)
            return entry.principal
        case .miss:
            return try await verify(token, now: now, revocations: revocations)
        }
    }

    private func verify(_ token: String, now: Date, revocations: Int) async throws -> Principal {
        let (header, payload) = try Self.unverifiedParts(token)
        guard let alg = header["alg"] as? String else {
            throw IdentityError(.invalidToken, "the token has no algorithm")
        }
        guard let issuer = payload["iss"] as? String else {
            throw IdentityError(.invalidToken, "the token has no issuer")
        }
        let kid = header["kid"] as? String
        if issuer == configuration.issuer {
            guard alg == "ES256" else { throw IdentityError(.invalidToken, "the token's algorithm is not allowed") }
            guard (header["typ"] as? String)?.lowercased() == TokenIssuer.accessTokenType else {
                throw IdentityError(.invalidToken, "the token is not an access token")
            }
            guard let kid else { throw IdentityError(.invalidToken, "the token has no key id") }
            let claims: AccessTokenClaims
            do {
                claims = try await keyRing.verify(token, kid: kid, as: AccessTokenClaims.self, now: now)
            } catch let error as IdentityError {
                throw error
            } catch {
                throw IdentityError(.invalidToken, "the token's signature does not verify")
            }
            try check(claims, audience: configuration.audience, now: now, leeway: 0)
            guard let jti = claims.jti else { throw IdentityError(.invalidToken, "the token has no id") }
            if try await store.isAccessTokenRevoked(id: jti) {
                throw IdentityError(.invalidToken, "the token has been revoked")
            }
            let principal = Self.principal(from: claims)
            cache.insert(
                token,
                .init(
                    principal: principal,
                    jti: jti,
                    notBefore: claims.nbf?.value ?? .distantPast,
                    expiresAt: claims.exp.value,
                    checkedAt: now,
                    revocations: revocations
                )
            )
            return principal
        }
        guard let external = configuration.externalIssuers.first(where: { $0.issuer == issuer }), let externalKeys
        else { throw IdentityError(.invalidToken, "the token's issuer is not trusted") }
        guard Self.externalAlgorithms.contains(alg) else {
            throw IdentityError(.invalidToken, "the token's algorithm is not allowed")
        }
        let claims: AccessTokenClaims
        do {
            let collection = try await externalKeys.collection(for: external, kid: kid, now: now)
            claims = try await collection.verify(token, as: AccessTokenClaims.self)
        } catch {
            throw IdentityError(.invalidToken, "the token's signature does not verify")
        }
        try check(claims, audience: external.audience ?? configuration.audience, now: now, leeway: Self.externalLeeway)
        return try await externalPrincipal(claims, issuer: issuer)
    }

    private func check(_ claims: AccessTokenClaims, audience: String, now: Date, leeway: TimeInterval) throws {
        guard now < claims.exp.value.addingTimeInterval(leeway) else {
            throw IdentityError(.invalidToken, "the token has expired")
        }
        if let nbf = claims.nbf, nbf.value > now.addingTimeInterval(leeway) {
            throw IdentityError(.invalidToken, "the token is not valid yet")
        }
        if let iat = claims.iat, iat.value > now.addingTimeInterval(max(leeway, 5)) {
            throw IdentityError(.invalidToken, "the token was issued in the future")
        }
        guard claims.aud.value.contains(audience) else {
            throw IdentityError(.invalidToken, "the token is not meant for this service")
        }
    }

    static func principal(from claims: AccessTokenClaims) -> Principal {
        var roles: [String: Set<Role>] = [:]
        for (tenant, names) in claims.roles ?? [:] { roles[tenant] = Set(names.map(Role.init(rawValue:))) }
        return Principal(
            subject: claims.sub,
            kind: Principal.Kind(rawValue: claims.kind ?? "") ?? .person,
            clientId: claims.clientId,
            roles: roles,
            scopes: Set((claims.scope ?? "").split(separator: " ").map(String.init))
        )
    }

    /// An external subject linked to a Machi user (scheme `oidc:<issuer>`) acts as that user with their roles; an
    /// unlinked one as `urn:machi:external:<pseudonym>` without roles.
    private func externalPrincipal(_ claims: AccessTokenClaims, issuer: String) async throws -> Principal {
        let scheme = "oidc:\(issuer)".lowercased()
        let pseudonym = try pseudonymizer.pseudonym(scheme: scheme, value: claims.sub)
        let scopes = Set((claims.scope ?? "").split(separator: " ").map(String.init))
        if let subject = try await store.subject(scheme: scheme, pseudonym: pseudonym),
            let user = try await store.user(subject: subject), !user.disabled
        {
            return Principal(
                subject: subject,
                kind: .person,
                clientId: claims.clientId,
                roles: user.roles.mapValues { Set($0.map(Role.init(rawValue:))) },
                scopes: scopes
            )
        }
        return Principal(
            subject: "urn:machi:external:\(pseudonym)",
            kind: .person,
            clientId: claims.clientId,
            scopes: scopes
        )
    }

    /// The header and payload of a compact JWS, decoded without verification (only to route it to its keys).
    static func unverifiedParts(_ token: String) throws -> ([String: Any], [String: Any]) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 8192,
            let header = decodeSegment(parts[0]), let payload = decodeSegment(parts[1])
        else { throw IdentityError(.invalidToken, "the token is not a well-formed JWT") }
        return (header, payload)
    }

    private static func decodeSegment(_ segment: Substring) -> [String: Any]? {
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }
}
