import Foundation
import MachiCore
import MachiIdentity
import Testing

/// Prints what a password hash and a token verification cost on this machine (docs/identity.md). Not a test of
/// speed: it only runs with `MACHI_MEASURE_IDENTITY=1` and checks nothing but that the work succeeds.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["MACHI_MEASURE_IDENTITY"] != nil))
struct IdentityCostMeasurement {
    @Test func passwordHashAndTokenVerification() async throws {
        let clock = ContinuousClock()
        let hasher = PasswordHasher()
        var encoded = ""
        let hashing = try clock.measure { for _ in 0..<5 { encoded = try hasher.hash("correct horse battery") } }
        #expect(hasher.verify("correct horse battery", against: encoded))
        print("scrypt N=2^15 r=8 p=1: \(hashing / 5) per hash")

        let fixture = try IdentityFixture()
        let principal = Principal(
            subject: CommonID.person(UUID()),
            kind: .person,
            roles: ["": [.operator]],
            scopes: [Scope.read]
        )
        let token = try await fixture.oauth.issuer.accessToken(for: principal, now: fixture.time.now).token
        let count = 2000
        let start = clock.now
        for _ in 0..<count { _ = try await fixture.oauth.verifier.principal(bearer: token) }
        print(
            "access token verification (ES256 + claims + revocation lookup): \((clock.now - start) / count) per token"
        )
    }
}
