import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryLogging
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import MachiIdentity
import MachiSQLite
import NIOCore
import Testing

/// The identity provider over HTTP: authentication of bearer tokens, the OAuth endpoints, the sign-in page, the
/// admin API, and that a My Number never reaches the logs.
@Suite struct IdentityHTTPTests {
    static let myNumber = "123456789018"

    struct Seed: Sendable {
        var adminToken: String
        var residentToken: String
        var serviceSecret: String
        var tenantAdminToken: String
        /// The server's data directory.
        var dataDirectory: String
    }

    /// A server in `required` mode on a fresh data directory with `alice` (admin), `bob` (resident), a public
    /// client `app` and a confidential client `service`.
    func withIdentityServer(
        logs: InMemoryLogHandler? = nil,
        _ body: @Sendable (MachiClient, Seed) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("machi-id-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = AppConfiguration(
            host: "127.0.0.1",
            port: 0,
            dataDirectory: directory.path,
            contextFetchEnabled: false,
            publicReadTenants: [""],  // anonymous callers read the default tenant's open data
            authMode: .required,
            // A cheap scrypt: these tests check behaviour; the real cost is measured (docs/identity.md).
            identity: IdentityConfiguration(issuer: "http://localhost:0", passwordCost: 10)
        )
        let identity = try await IdentityServices.open(configuration: configuration)
        _ = try await identity.directory.addUser(
            username: "alice",
            password: "correct horse battery",
            roles: ["": ["admin"]]
        )
        _ = try await identity.directory.addUser(
            username: "bob",
            password: "bob's long password",
            roles: ["": ["resident"]]
        )
        for (name, role) in [("okaya-admin", "admin"), ("okaya-staff", "operator")] {
            _ = try await identity.directory.addUser(
                username: name,
                password: "\(name) password",
                roles: ["okaya": [role]]
            )
        }
        _ = try await identity.directory.addClient(
            clientId: "app",
            confidential: false,
            redirectURIs: ["https://app.example/callback"],
            scopes: [Scope.read, Scope.write, Scope.admin, Scope.auditRead, Scope.openID, Scope.profile],
            grantTypes: ["authorization_code", "refresh_token"]
        )
        let (_, secret) = try await identity.directory.addClient(
            clientId: "service",
            confidential: true,
            scopes: [Scope.read, Scope.write],
            grantTypes: ["client_credentials"]
        )
        let seed = Seed(
            adminToken: try await identity.oauth.issueDirectly(clientId: "app", username: "alice", scope: nil)
                .accessToken,
            residentToken: try await identity.oauth.issueDirectly(clientId: "app", username: "bob", scope: nil)
                .accessToken,
            serviceSecret: try #require(secret),
            tenantAdminToken: try await identity.oauth.issueDirectly(
                clientId: "app",
                username: "okaya-admin",
                scope: nil
            )
            .accessToken,
            dataDirectory: directory.path
        )
        try identity.store.close()
        let logger = logs.map { handler in Logger(label: "test") { _ in handler } } ?? Logger(label: "test")
        let app = try await MachiServer.buildApplication(configuration: configuration, logger: logger)
        try await app.test(.router) { client in try await body(MachiClient(client: client), seed) }
    }

    @Test func noTokenIsAnonymousAndABadTokenIs401WithAChallenge() async throws {
        try await withIdentityServer { client, seed in
            #expect(try await client.get("/ngsi-ld/v1/entities?type=Room").status == 200)  // public read
            let anonymousWrite = try await client.post(
                "/ngsi-ld/v1/entities",
                #"{"id": "urn:ngsi-ld:Room:1", "type": "Room"}"#
            )
            #expect(anonymousWrite.status == 401)
            let parts = seed.adminToken.split(separator: ".")
            for token in [
                "garbage", "\(parts[0]).\(parts[1]).", "eyJhbGciOiJub25lIn0.\(parts[1]).", seed.adminToken + "x",
            ] {
                let reply = try await client.get(
                    "/ngsi-ld/v1/entities?type=Room",
                    headers: ["Authorization": "Bearer \(token)"]
                )
                #expect(reply.status == 401)
                #expect(reply.headers[.wwwAuthenticate]?.hasPrefix(#"Bearer error="invalid_token""#) == true)
                #expect(reply.json["type"]?.stringValue == "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest")
                #expect(reply.json["status"] == .number(401))
            }
            let good = try await client.get(
                "/ngsi-ld/v1/entities?type=Room",
                headers: ["Authorization": "Bearer \(seed.adminToken)"]
            )
            #expect(good.status == 200)
            #expect(try await client.get("/health", headers: ["Authorization": "Bearer garbage"]).status == 200)
        }
    }

    @Test func discoveryAndJWKSDescribeTheProvider() async throws {
        try await withIdentityServer { client, _ in
            let discovery = try await client.get("/.well-known/openid-configuration")
            #expect(discovery.status == 200)
            #expect(discovery.json["issuer"]?.stringValue == "http://localhost:0")
            #expect(discovery.json["code_challenge_methods_supported"] == .array([.string("S256")]))
            let jwks = try await client.get("/.well-known/jwks.json")
            let key = try #require(jwks.json["keys"]?.arrayValue?.first)
            #expect(key["kty"]?.stringValue == "EC")
            #expect(key["crv"]?.stringValue == "P-256")
            #expect(key["d"] == nil)
        }
    }

    @Test func clientCredentialsOverHTTPAndUserinfo() async throws {
        try await withIdentityServer { client, seed in
            let basic = Data("service:\(seed.serviceSecret)".utf8).base64EncodedString()
            let reply = try await client.post(
                "/oauth2/token",
                "grant_type=client_credentials&scope=ngsi-ld%3Aread",
                contentType: "application/x-www-form-urlencoded",
                headers: ["Authorization": "Basic \(basic)"]
            )
            #expect(reply.status == 200)
            #expect(reply.headers[.cacheControl] == "no-store")
            let token = try #require(reply.json["access_token"]?.stringValue)
            let info = try await client.get("/oauth2/userinfo", headers: ["Authorization": "Bearer \(token)"])
            #expect(info.json["sub"]?.stringValue == "urn:machi:application:service")
            let wrong = try await client.post(
                "/oauth2/token",
                "grant_type=client_credentials&client_id=service&client_secret=nope",
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(wrong.status == 401)
            #expect(wrong.json["error"]?.stringValue == "invalid_client")
            let unsupported = try await client.post(
                "/oauth2/token",
                "grant_type=password&username=alice&password=x&client_id=app",
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(unsupported.json["error"]?.stringValue == "unsupported_grant_type")
            let repeated = try await client.post(
                "/oauth2/token",
                "grant_type=client_credentials&client_id=service&client_id=app",
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(repeated.status == 400)
            #expect(repeated.json["error"]?.stringValue == "invalid_request")
        }
    }

    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static var authorizeQuery: String {
        "response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&scope=ngsi-ld%3Aread%20openid"
            + "&state=st4te&code_challenge=\(PKCE.challenge(for: verifier))&code_challenge_method=S256"
    }

    static func cookie(_ reply: Reply, _ name: String) -> String? {
        reply.headers[values: .setCookie].lazy.compactMap { header -> String? in
            let pair = header.split(separator: ";")[0]
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            return parts.count == 2 && parts[0] == name ? parts[1] : nil
        }.first
    }

    static func formToken(_ html: String) -> String? {
        guard let range = html.range(of: #"name="form_token" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func formBody(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(
            separator: "&"
        )
    }

    static let carried: [(String, String)] = [
        ("response_type", "code"), ("client_id", "app"), ("redirect_uri", "https://app.example/callback"),
        ("scope", "ngsi-ld:read openid"), ("state", "st4te"), ("code_challenge", PKCE.challenge(for: verifier)),
        ("code_challenge_method", "S256"),
    ]

    @Test func signInPageCodeExchangeAndSingleSignOn() async throws {
        try await withIdentityServer { client, _ in
            let page = try await client.get("/oauth2/authorize?\(Self.authorizeQuery)")
            #expect(page.status == 200)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            let csrf = try #require(Self.cookie(page, "machi_csrf"))
            let formToken = try #require(Self.formToken(page.body))

            // Without the browser's CSRF cookie (a form posted from another site) the form token is worthless.
            let credentials =
                Self.carried + [
                    ("form_token", formToken), ("username", "alice"), ("password", "correct horse battery"),
                ]
            let forged = try await client.post(
                "/oauth2/authorize",
                Self.formBody(credentials),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(forged.status == 400)

            let signedIn = try await client.post(
                "/oauth2/authorize",
                Self.formBody(credentials),
                contentType: "application/x-www-form-urlencoded",
                headers: ["Cookie": "machi_csrf=\(csrf)"]
            )
            #expect(signedIn.status == 302)
            let location = try #require(signedIn.headers[.location])
            #expect(location.hasPrefix("https://app.example/callback?code="))
            #expect(location.hasSuffix("&state=st4te"))
            let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
            let session = try #require(Self.cookie(signedIn, "machi_session"))

            let tokens = try await client.post(
                "/oauth2/token",
                Self.formBody([
                    ("grant_type", "authorization_code"), ("code", code),
                    ("redirect_uri", "https://app.example/callback"),
                    ("client_id", "app"), ("code_verifier", Self.verifier),
                ]),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(tokens.status == 200)
            #expect(tokens.json["id_token"]?.stringValue != nil)
            #expect(tokens.json["refresh_token"]?.stringValue != nil)
            let replay = try await client.post(
                "/oauth2/token",
                Self.formBody([
                    ("grant_type", "authorization_code"), ("code", code),
                    ("redirect_uri", "https://app.example/callback"),
                    ("client_id", "app"), ("code_verifier", Self.verifier),
                ]),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(replay.status == 400)
            #expect(replay.json["error"]?.stringValue == "invalid_grant")

            // Single sign-on: the session cookie skips the form.
            let again = try await client.get(
                "/oauth2/authorize?\(Self.authorizeQuery)",
                headers: ["Cookie": "machi_session=\(session)"]
            )
            #expect(again.status == 302)
            #expect(again.headers[.location]?.hasPrefix("https://app.example/callback?code=") == true)
            let forcedLogin = try await client.get(
                "/oauth2/authorize?\(Self.authorizeQuery)&prompt=login",
                headers: ["Cookie": "machi_session=\(session)"]
            )
            #expect(forcedLogin.status == 200)
        }
    }

    @Test func bruteForceSignInIsThrottledWith429AndRetryAfter() async throws {
        try await withIdentityServer { client, _ in
            let page = try await client.get("/oauth2/authorize?\(Self.authorizeQuery)")
            let csrf = try #require(Self.cookie(page, "machi_csrf"))
            let formToken = try #require(Self.formToken(page.body))
            func attempt(_ password: String) async throws -> Reply {
                try await client.post(
                    "/oauth2/authorize",
                    Self.formBody(
                        Self.carried + [("form_token", formToken), ("username", "alice"), ("password", password)]
                    ),
                    contentType: "application/x-www-form-urlencoded",
                    headers: ["Cookie": "machi_csrf=\(csrf)"]
                )
            }
            for guess in 0..<5 { #expect(try await attempt("guess number \(guess)").status == 401) }
            let throttled = try await attempt("correct horse battery")
            #expect(throttled.status == 429)
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }

    @Test func theAdminAPINeedsTheAdminRole() async throws {
        try await withIdentityServer { client, seed in
            #expect(try await client.get("/api/v1/admin/users").status == 401)
            #expect(
                try await client.get("/api/v1/admin/users", headers: ["Authorization": "Bearer \(seed.residentToken)"])
                    .status == 403
            )
            let admin = ["Authorization": "Bearer \(seed.adminToken)"]
            let users = try await client.get("/api/v1/admin/users", headers: admin)
            #expect(users.status == 200)
            #expect(users.json.arrayValue?.count == 4)
            #expect(!users.body.contains("scrypt"))
            let created = try await client.post(
                "/api/v1/admin/users",
                #"{"username":"carol","password":"carol's password","roles":["operator"]}"#,
                headers: admin
            )
            #expect(created.status == 201)
            #expect(created.json["id"]?.stringValue?.hasPrefix("urn:machi:person:") == true)
            let duplicate = try await client.post("/api/v1/admin/users", #"{"username":"carol"}"#, headers: admin)
            #expect(duplicate.status == 409)
            let shortPassword = try await client.send(
                .patch,
                "/api/v1/admin/users/carol",
                body: #"{"password":"short","disabled":true}"#,
                headers: admin
            )
            #expect(shortPassword.status == 400)
            #expect(try await client.get("/api/v1/admin/users/carol", headers: admin).json["disabled"] == .bool(false))
            let newClient = try await client.post(
                "/api/v1/admin/clients",
                #"{"clientId":"dashboard","scopes":["ngsi-ld:read"],"grantTypes":["client_credentials"]}"#,
                headers: admin
            )
            #expect(newClient.status == 201)
            #expect(newClient.json["clientSecret"]?.stringValue?.count == 43)
            #expect(try await client.get("/api/v1/admin/clients/dashboard", headers: admin).json["clientSecret"] == nil)
            #expect(try await client.send(.delete, "/api/v1/admin/clients/dashboard", headers: admin).status == 204)
        }
    }

    @Test func aTenantAdminCannotTakeOverUsersOfOtherTenants() async throws {
        try await withIdentityServer { client, seed in
            let okaya = ["Authorization": "Bearer \(seed.tenantAdminToken)", "NGSILD-Tenant": "okaya"]
            let inDefaultTenant = ["Authorization": "Bearer \(seed.tenantAdminToken)"]
            #expect(try await client.get("/api/v1/admin/users", headers: inDefaultTenant).status == 403)
            let takeover = try await client.send(
                .patch,
                "/api/v1/admin/users/alice",
                body: #"{"password":"the attacker's password"}"#,
                headers: okaya
            )
            #expect(takeover.status == 403)
            let link = try await client.post(
                "/api/v1/admin/users/alice/external-ids",
                #"{"scheme":"mynumber","value":"\#(Self.myNumber)"}"#,
                headers: okaya
            )
            #expect(link.status == 403)
            // Its own staff, and roles in its own tenant, it may manage.
            let staff = try await client.send(
                .patch,
                "/api/v1/admin/users/okaya-staff",
                body: #"{"disabled":true}"#,
                headers: okaya
            )
            #expect(staff.status == 200)
            #expect(staff.json["disabled"] == .bool(true))
            let role = try await client.send(
                .patch,
                "/api/v1/admin/users/alice",
                body: #"{"roles":["developer"]}"#,
                headers: okaya
            )
            #expect(role.json["roles"]?["okaya"] == .array([.string("developer")]))
            #expect(role.json["roles"]?[""] == .array([.string("admin")]))
        }
    }

    @Test func aMyNumberNeverReachesTheLogs() async throws {
        var handler = InMemoryLogHandler()
        handler.logLevel = .trace
        try await withIdentityServer(logs: handler) { client, seed in
            let admin = ["Authorization": "Bearer \(seed.adminToken)"]
            let linked = try await client.post(
                "/api/v1/admin/users/alice/external-ids",
                #"{"scheme":"mynumber","value":"\#(Self.myNumber)"}"#,
                headers: admin
            )
            #expect(linked.status == 204)
            let again = try await client.post(
                "/api/v1/admin/users/bob/external-ids",
                #"{"scheme":"mynumber","value":"\#(Self.myNumber)"}"#,
                headers: admin
            )
            #expect(again.status == 409)
            #expect(!again.body.contains(Self.myNumber))
        }
        #expect(!handler.entries.isEmpty)
        for entry in handler.entries {
            #expect(!"\(entry.message) \(entry.metadata)".contains(Self.myNumber))
        }
    }
}
