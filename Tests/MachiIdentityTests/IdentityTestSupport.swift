import Foundation
import MachiCore
import MachiIdentity
import MachiSQLite
import MachiStore
import Synchronization

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let value = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { value.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var function: @Sendable () -> Date { { self.now } }
}

/// An identity provider on an in-memory store with a test clock and a cheap scrypt (the cost is measured
/// elsewhere; these tests check behaviour).
struct IdentityFixture {
    static let issuer = "https://machi.test"
    static let secret = Array("a deployment secret of at least thirty-two bytes".utf8)

    let time: TestClock
    let store: any IdentityStore
    let oauth: OAuthService
    let directory: IdentityDirectory

    init(
        store: (any IdentityStore)? = nil,
        issuer: String = IdentityFixture.issuer,
        audience: String = "machi",
        clock: TestClock? = nil,
        externalIssuers: [ExternalIssuer] = [],
        jwksSource: (any JWKSSource)? = nil,
        events: (any AuditLog)? = nil
    ) throws {
        let store = try store ?? SQLiteIdentityStore(storage: .inMemory)
        self.store = store
        let clock = clock ?? TestClock()
        let hasher = PasswordHasher(logN: 10)
        oauth = OAuthService(
            configuration: IdentityConfiguration(issuer: issuer, audience: audience, externalIssuers: externalIssuers),
            store: store,
            secret: Self.secret,
            hasher: hasher,
            jwksSource: jwksSource,
            events: events,
            now: clock.function
        )
        directory = IdentityDirectory(
            store: store,
            pseudonymizer: oauth.pseudonymizer,
            hasher: hasher,
            now: clock.function
        )
        time = clock
    }

    /// A user `alice` (admin in the default tenant) and a public client `app` with PKCE and refresh tokens.
    func seed() async throws -> (user: UserRecord, client: ClientRecord) {
        let user = try await directory.addUser(
            username: "alice",
            password: "correct horse battery",
            roles: ["": ["admin"]]
        )
        let (client, _) = try await directory.addClient(
            clientId: "app",
            confidential: false,
            redirectURIs: ["https://app.example/callback"],
            scopes: [Scope.read, Scope.openID, Scope.profile],
            grantTypes: ["authorization_code", "refresh_token"]
        )
        return (user, client)
    }

    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    /// Runs the authorization request and sign-in, returning a fresh code.
    func code(verifier: String = IdentityFixture.verifier) async throws -> String {
        let request = try await oauth.authorizationRequest([
            "response_type": "code", "client_id": "app", "redirect_uri": "https://app.example/callback",
            "scope": "ngsi-ld:read openid", "state": "xyz", "code_challenge": PKCE.challenge(for: verifier),
            "code_challenge_method": "S256", "nonce": "n-0S6",
        ])
        let user = try await oauth.signIn(username: "alice", password: "correct horse battery", address: "10.0.0.1")
        return try await oauth.issueCode(for: request, subject: user.subject)
    }

    func exchange(
        _ code: String,
        verifier: String = IdentityFixture.verifier
    ) async throws -> OAuthService.TokenResponse {
        try await oauth.exchangeCode(
            code,
            redirectURI: "https://app.example/callback",
            clientId: "app",
            clientSecret: nil,
            codeVerifier: verifier
        )
    }
}

/// The `IdentityError` code a call throws, or `nil`.
func identityErrorCode(_ work: () async throws -> Void) async -> IdentityError.Code? {
    do {
        try await work()
        return nil
    } catch let error as IdentityError {
        return error.code
    } catch {
        return nil
    }
}
