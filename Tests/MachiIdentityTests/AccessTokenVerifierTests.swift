import Crypto
import Foundation
import JWTKit
import MachiCore
import MachiIdentity
import MachiSQLite
import MachiStore
import Testing

@Suite struct AccessTokenVerifierTests {
    let staff = Principal(
        subject: "urn:machi:person:7f3c0b1c-0000-4000-8000-000000000001",
        kind: .person,
        clientId: "app",
        roles: ["shiojiri": [.operator]],
        scopes: [Scope.read, Scope.write]
    )

    @Test func acceptsItsOwnTokenAndRestoresThePrincipal() async throws {
        let fixture = try IdentityFixture()
        let token = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now)
        let principal = try await fixture.oauth.verifier.principal(bearer: token.token)
        #expect(principal == staff)
    }

    /// Replaces one part of a compact JWS.
    func replacing(_ token: String, part: Int, with value: String) -> String {
        var parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[part] = value
        return parts.joined(separator: ".")
    }

    func segment(_ object: [String: Any]) throws -> String {
        SecretToken.base64URL(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    func decode(_ segment: String) throws -> [String: Any] {
        var base64 = segment.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        let data = try #require(Data(base64Encoded: base64))
        let object = try JSONSerialization.jsonObject(with: data)
        return try #require(object as? [String: Any])
    }

    @Test func refusesAlgNone() async throws {
        let fixture = try IdentityFixture()
        let token = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        var header = try decode(String(token.split(separator: ".")[0]))
        header["alg"] = "none"
        let forged = replacing(replacing(token, part: 0, with: try segment(header)), part: 2, with: "")
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: forged) } == .invalidToken
        )
    }

    @Test func refusesHMACSignedWithThePublicKey() async throws {
        let fixture = try IdentityFixture()
        let token = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        var header = try decode(String(token.split(separator: ".")[0]))
        header["alg"] = "HS256"
        let jwks = String(decoding: try await fixture.oauth.keyRing.jwksJSON(), as: UTF8.self)
        let signingInput = try segment(header) + "." + token.split(separator: ".")[1]
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data(signingInput.utf8),
            using: SymmetricKey(data: Data(jwks.utf8))
        )
        let forged = signingInput + "." + SecretToken.base64URL(mac)
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: forged) } == .invalidToken
        )
    }

    @Test func refusesATokenSignedWithAnotherKeyUnderTheSameKeyId() async throws {
        let fixture = try IdentityFixture()
        let genuine = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        let kid = try #require(try decode(String(genuine.split(separator: ".")[0]))["kid"] as? String)
        let attacker = JWTKeyCollection()
        await attacker.add(ecdsa: ES256PrivateKey(), kid: JWKIdentifier(string: kid))
        let payload = try decode(String(genuine.split(separator: ".")[1]))
        let forged = try await attacker.sign(ForgedClaims(payload), kid: JWKIdentifier(string: kid))
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: forged) } == .invalidToken
        )
    }

    @Test func refusesATamperedPayload() async throws {
        let fixture = try IdentityFixture()
        let token = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        var payload = try decode(String(token.split(separator: ".")[1]))
        payload["roles"] = ["shiojiri": ["admin"]]
        let tampered = replacing(token, part: 1, with: try segment(payload))
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: tampered) }
                == .invalidToken
        )
    }

    @Test func refusesAnUntrustedIssuerEvenWithAGenuineKey() async throws {
        let store = try SQLiteIdentityStore(storage: .inMemory)
        let machi = try IdentityFixture(store: store)
        // Same store, so the same signing key: only the issuer differs.
        let other = try IdentityFixture(store: store, issuer: "https://evil.example")
        try await machi.oauth.prepare()
        let token = try await other.oauth.issuer.accessToken(for: staff, now: other.time.now).token
        #expect(
            await identityErrorCode { _ = try await machi.oauth.verifier.principal(bearer: token) } == .invalidToken
        )
    }

    @Test func refusesATokenForAnotherAudience() async throws {
        let store = try SQLiteIdentityStore(storage: .inMemory)
        let machi = try IdentityFixture(store: store)
        let other = try IdentityFixture(store: store, audience: "another-service")
        try await machi.oauth.prepare()
        let token = try await other.oauth.issuer.accessToken(for: staff, now: other.time.now).token
        #expect(
            await identityErrorCode { _ = try await machi.oauth.verifier.principal(bearer: token) } == .invalidToken
        )
    }

    @Test func refusesAnExpiredToken() async throws {
        let fixture = try IdentityFixture()
        let token = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        fixture.time.advance(fixture.oauth.configuration.accessTokenLifetime - 1)
        _ = try await fixture.oauth.verifier.principal(bearer: token)
        fixture.time.advance(1)
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: token) } == .invalidToken
        )
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "e30.e30.", "eyJhbGciOiJFUzI1NiJ9.bm90IGpzb24.c2ln"])
    func refusesMalformedTokens(_ token: String) async throws {
        let fixture = try IdentityFixture()
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: token) } == .invalidToken
        )
    }

    @Test func refusesARevokedToken() async throws {
        let fixture = try IdentityFixture()
        let issued = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now)
        try await fixture.store.revokeAccessToken(id: issued.id, expiresAt: issued.expiresAt)
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: issued.token) }
                == .invalidToken
        )
    }

    @Test func rotatesKeysAndKeepsRetiredOnesUntilTheirTokensExpire() async throws {
        let fixture = try IdentityFixture()
        let old = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        let firstKey = try #require(await fixture.oauth.keyRing.activeKeyId)
        fixture.time.advance(TimeInterval(fixture.oauth.configuration.keyRotationDays) * 86400 - 60)
        let new = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        _ = new
        #expect(await fixture.oauth.keyRing.activeKeyId == firstKey)
        fixture.time.advance(60)
        let rotated = try await fixture.oauth.issuer.accessToken(for: staff, now: fixture.time.now).token
        let secondKey = try #require(await fixture.oauth.keyRing.activeKeyId)
        #expect(secondKey != firstKey)
        #expect(await fixture.oauth.keyRing.keyIds == [firstKey, secondKey])
        _ = try await fixture.oauth.verifier.principal(bearer: rotated)
        // The retired key leaves the JWKS once every token it signed has expired.
        fixture.time.advance(fixture.oauth.configuration.accessTokenLifetime + 61)
        try await fixture.oauth.keyRing.prepare(now: fixture.time.now)
        #expect(await fixture.oauth.keyRing.keyIds == [secondKey])
        _ = old
    }
}

/// Arbitrary claims for forged tokens.
struct ForgedClaims: JWTPayload {
    var values: [String: String]
    var numbers: [String: Double]
    var audience: [String]

    init(_ payload: [String: Any]) {
        values = payload.compactMapValues { $0 as? String }
        numbers = payload.compactMapValues { $0 is String ? nil : ($0 as? NSNumber)?.doubleValue }
        audience = payload["aud"] as? [String] ?? []
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws { (values, numbers, audience) = ([:], [:], []) }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in values { try container.encode(value, forKey: Key(stringValue: key)) }
        for (key, value) in numbers { try container.encode(value, forKey: Key(stringValue: key)) }
        try container.encode(audience, forKey: Key(stringValue: "aud"))
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Verified tokens are cached (`VerifiedTokenCache`); these check that the cache never outlives a revocation.
@Suite struct VerifiedTokenCacheTests {
    let app = Principal(
        subject: "urn:machi:client:app",
        kind: .application,
        clientId: "app",
        roles: ["": [.developer]],
        scopes: [Scope.read]
    )

    @Test func aCachedTokenIsRefusedFromTheRequestAfterItsRevocation() async throws {
        let fixture = try IdentityFixture()
        let issued = try await fixture.oauth.issuer.accessToken(for: app, now: fixture.time.now)
        for _ in 0..<3 { #expect(try await fixture.oauth.verifier.principal(bearer: issued.token) == app) }
        try await fixture.store.revokeAccessToken(id: issued.id, expiresAt: issued.expiresAt)
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: issued.token) }
                == .invalidToken
        )
    }

    @Test func aRevocationWrittenByAnotherProcessHoldsWithinFiveSeconds() async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "machi-token-cache-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try SQLiteIdentityStore(storage: .directory(directory))
        let commandLine = try SQLiteIdentityStore(storage: .directory(directory))  // `machi client remove`
        let fixture = try IdentityFixture(store: server)
        let issued = try await fixture.oauth.issuer.accessToken(for: app, now: fixture.time.now)
        #expect(try await fixture.oauth.verifier.principal(bearer: issued.token) == app)
        try await commandLine.revokeAccessToken(id: issued.id, expiresAt: issued.expiresAt)
        fixture.time.advance(5)
        #expect(
            await identityErrorCode { _ = try await fixture.oauth.verifier.principal(bearer: issued.token) }
                == .invalidToken
        )
    }
}
