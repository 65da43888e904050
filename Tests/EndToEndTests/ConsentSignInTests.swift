import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import MachiIdentity
import MachiSQLite
import MachiStore
import Testing

/// Consent inside the sign-in flow, over a real socket: an application asks a resident for consent through the
/// API; when she signs in to that application at `/oauth2/authorize` she is shown its pending requests, answers
/// them on the page (grant, deny, or all at once), and the flow goes on to the authorization code.
@Suite struct ConsentSignInTests {
    static let redirect = "https://boshi.example/callback"
    static let verifier = "M25iVXpKU3puUjFaYWg3T1NDTDQtcW1ROUY5YXlwalNoc0hhakxifmZHag"
    static let record = "urn:ngsi-ld:MaternalHandbookRecord:hanako-1"
    /// A purpose with markup in it: the page must show it as text.
    static let studyPurpose = #"<script>alert("x")</script> & study"#

    struct World: Sendable {
        var client: MachiClient
        var hanako: String
        /// The hospital writes records (operator).
        var hospitalToken: String
        /// boshi-app, as itself (client credentials): it asks for consent and reads.
        var appToken: String
        var appSecret: String
        /// Hanako through the portal (her consents over the API).
        var residentToken: String
        /// An admin of the default tenant (the audit trail).
        var adminToken: String
    }

    /// A live server in `required` mode with Hanako (resident), the hospital's client, boshi-app (confidential:
    /// client credentials and the authorization code flow) and the portal; Hanako's handbook record is stored.
    func withWorld(_ body: @Sendable (World) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("machi-cs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = AppConfiguration(
            host: "127.0.0.1",
            port: 0,
            dataDirectory: directory.path,
            contextFetchEnabled: false,
            authMode: .required,
            identity: IdentityConfiguration(issuer: "http://localhost:0", passwordCost: 10)
        )
        let identity = try await IdentityServices.open(configuration: configuration)
        let hanako = try await identity.directory.addUser(
            username: "hanako",
            password: "hanako no himitsu 2026",
            roles: ["": ["resident"]]
        )
        _ = try await identity.directory.addUser(username: "alice", password: nil, roles: ["": ["admin"]])
        _ = try await identity.directory.addClient(
            clientId: "hospital",
            confidential: true,
            scopes: [Scope.read, Scope.write],
            grantTypes: ["client_credentials"],
            roles: ["": ["operator"]]
        )
        let (_, secret) = try await identity.directory.addClient(
            clientId: "boshi-app",
            name: "Boshi <Techo> & Co",
            confidential: true,
            redirectURIs: [Self.redirect],
            scopes: [Scope.read, Scope.openID],
            grantTypes: ["client_credentials", "authorization_code"],
            roles: ["": ["developer"]]
        )
        _ = try await identity.directory.addClient(
            clientId: "portal",
            confidential: false,
            redirectURIs: ["https://portal.example/cb"],
            scopes: [Scope.read, Scope.auditRead],
            grantTypes: ["authorization_code"]
        )
        func token(_ client: String, _ user: String?) async throws -> String {
            try await identity.oauth.issueDirectly(clientId: client, username: user, scope: nil).accessToken
        }
        let hospitalToken = try await token("hospital", nil)
        let appToken = try await token("boshi-app", nil)
        let residentToken = try await token("portal", "hanako")
        let adminToken = try await token("portal", "alice")
        try identity.store.close()
        let app = try await MachiServer.buildApplication(configuration: configuration, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let machi = MachiClient(client: client)
            let created = try await machi.post(
                "/ngsi-ld/v1/entities",
                """
                {"id": "\(Self.record)", "type": "MaternalHandbookRecord",
                 "dataOwner": {"type": "Relationship", "object": "\(hanako.subject)"},
                 "birthWeight": {"type": "Property", "value": 3.1},
                 "checkupNote": {"type": "Property", "value": "healthy"}}
                """,
                headers: ["Authorization": "Bearer \(hospitalToken)"]
            )
            #expect(created.status == 201)
            try await body(
                World(
                    client: machi,
                    hanako: hanako.subject,
                    hospitalToken: hospitalToken,
                    appToken: appToken,
                    appSecret: try #require(secret),
                    residentToken: residentToken,
                    adminToken: adminToken
                )
            )
        }
    }

    /// boshi-app asks Hanako for consent; returns the consent's id.
    static func ask(_ world: World, purpose: String, attributes: [String]? = nil) async throws -> String {
        let attributesMember = attributes.map { #", "attributes": ["\#($0.joined(separator: #"", ""#))"]"# } ?? ""
        let reply = try await world.client.post(
            "/api/v1/consent-requests",
            #"{"owner": "\#(world.hanako)", "purpose": \#(JSONWriter.string(of: .string(purpose))), "entityTypes": ["MaternalHandbookRecord"]\#(attributesMember)}"#,
            headers: ["Authorization": "Bearer \(world.appToken)"]
        )
        #expect(reply.status == 201)
        return try #require(reply.json["id"]?.stringValue)
    }

    /// boshi-app reading Hanako's record for `purpose`.
    static func appReads(_ world: World, purpose: String) async throws -> Reply {
        try await world.client.get(
            "/ngsi-ld/v1/entities/\(record)?options=keyValues",
            headers: ["Authorization": "Bearer \(world.appToken)", "Machi-Purpose": purpose]
        )
    }

    /// The status of each of Hanako's consents, by id.
    static func statuses(_ world: World) async throws -> [String: String] {
        let reply = try await world.client.get(
            "/api/v1/me/consents",
            headers: ["Authorization": "Bearer \(world.residentToken)"]
        )
        var statuses: [String: String] = [:]
        for consent in reply.json.arrayValue ?? [] {
            if let id = consent["id"]?.stringValue { statuses[id] = consent["status"]?.stringValue }
        }
        return statuses
    }

    static let carried: [(String, String)] = [
        ("response_type", "code"), ("client_id", "boshi-app"), ("redirect_uri", redirect),
        ("scope", "ngsi-ld:read openid"), ("state", "s-42"), ("code_challenge", PKCE.challenge(for: verifier)),
        ("code_challenge_method", "S256"),
    ]

    /// A browser at the sign-in page of boshi-app: its CSRF cookie and the page's form token.
    struct Browser: Sendable {
        var csrf: String
        var formToken: String
        var session: String?

        var cookies: [String: String] {
            [
                "Cookie": (["machi_csrf=\(csrf)"] + (session.map { ["machi_session=\($0)"] } ?? [])).joined(
                    separator: "; "
                )
            ]
        }
    }

    /// Opens the authorization request and signs Hanako in: returns the browser and the answer to the sign-in.
    static func signIn(_ world: World) async throws -> (Browser, Reply) {
        let query = IdentityHTTPTests.formBody(carried)
        let page = try await world.client.get("/oauth2/authorize?\(query)")
        #expect(page.status == 200)
        var browser = Browser(
            csrf: try #require(IdentityHTTPTests.cookie(page, "machi_csrf")),
            formToken: try #require(IdentityHTTPTests.formToken(page.body))
        )
        let signedIn = try await world.client.post(
            "/oauth2/authorize",
            IdentityHTTPTests.formBody(
                carried + [
                    ("form_token", browser.formToken), ("username", "hanako"), ("password", "hanako no himitsu 2026"),
                ]
            ),
            contentType: "application/x-www-form-urlencoded",
            headers: browser.cookies
        )
        browser.session = IdentityHTTPTests.cookie(signedIn, "machi_session")
        return (browser, signedIn)
    }

    /// Posts the consent page's answers.
    static func answer(
        _ world: World,
        _ browser: Browser,
        shown: [String],
        _ answers: [(String, String)],
        formToken: String? = nil
    ) async throws -> Reply {
        try await world.client.post(
            "/oauth2/authorize",
            IdentityHTTPTests.formBody(
                carried + [
                    ("form_token", formToken ?? browser.formToken), ("consent_step", "1"),
                    ("consent_shown", shown.joined(separator: " ")),
                ] + answers
            ),
            contentType: "application/x-www-form-urlencoded",
            headers: browser.cookies
        )
    }

    /// The code of a redirect to boshi-app's callback.
    static func code(_ reply: Reply) throws -> String {
        #expect(reply.status == 302)
        let location = try #require(reply.headers[.location])
        #expect(location.hasPrefix(redirect + "?code="))
        #expect(location.hasSuffix("&state=s-42"))
        return try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
    }

    @Test func theResidentGrantsOnTheSignInPageAndTheAppThenReads() async throws {
        try await withWorld { world in
            let checkup = try await Self.ask(world, purpose: "maternal-checkup", attributes: ["birthWeight"])
            let study = try await Self.ask(world, purpose: Self.studyPurpose)
            #expect(try await Self.appReads(world, purpose: "maternal-checkup").status == 404)

            let (browser, page) = try await Self.signIn(world)
            // Signed in, but first the consent page: the same look, hidden fields and form token as the sign-in form.
            #expect(page.status == 200)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(
                page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true
            )
            #expect(browser.session != nil)
            #expect(IdentityHTTPTests.formToken(page.body) == browser.formToken)
            for text in [
                "Boshi &lt;Techo&gt; &amp; Co", "maternal-checkup", "MaternalHandbookRecord", "birthWeight",
                #"name="consent:\#(checkup)""#, #"name="consent:\#(study)""#, #"name="state" value="s-42""#,
                "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; study",
            ] {
                #expect(page.body.contains(text), "the consent page shows \(text)")
            }
            #expect(!page.body.contains("<script>") && !page.body.contains("<Techo>"))

            let answered = try await Self.answer(
                world,
                browser,
                shown: [checkup, study],
                [("consent:\(checkup)", "grant"), ("consent:\(study)", "deny")]
            )
            let code = try Self.code(answered)
            let basic = Data("boshi-app:\(world.appSecret)".utf8).base64EncodedString()
            let tokens = try await world.client.post(
                "/oauth2/token",
                IdentityHTTPTests.formBody([
                    ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", Self.redirect),
                    ("code_verifier", Self.verifier),
                ]),
                contentType: "application/x-www-form-urlencoded",
                headers: ["Authorization": "Basic \(basic)"]
            )
            #expect(tokens.status == 200)
            #expect(tokens.json["access_token"]?.stringValue != nil)

            // The consent holds: the app reads her record, only the consented attribute.
            let reply = try await Self.appReads(world, purpose: "maternal-checkup")
            #expect(reply.status == 200)
            let read = reply.json
            #expect(read["birthWeight"] == .number(3.1))
            #expect(read["checkupNote"] == nil)
            #expect(try await Self.appReads(world, purpose: Self.studyPurpose).status == 404)
            #expect(try await Self.statuses(world) == [checkup: "granted", study: "denied"])

            // Audited like the portal's answers, as Hanako's.
            let audit = try await world.client.get(
                "/api/v1/audit?limit=10",
                headers: ["Authorization": "Bearer \(world.adminToken)"]
            )
            let records = try #require(audit.json.arrayValue)
            let grant = try #require(records.first { $0["action"] == "consent.grant" })
            #expect(grant["target"]?.stringValue == checkup)
            #expect(grant["actor"]?["subject"]?.stringValue == world.hanako)
            #expect(grant["actor"]?["clientId"] == "boshi-app")
            #expect(records.contains { $0["action"] == "consent.deny" && $0["target"]?.stringValue == study })

            // Nothing pending any more: single sign-on goes straight to the code.
            let again = try await world.client.get(
                "/oauth2/authorize?\(IdentityHTTPTests.formBody(Self.carried))",
                headers: ["Cookie": "machi_session=\(try #require(browser.session))"]
            )
            _ = try Self.code(again)
        }
    }

    @Test func denyingEverythingStillSignsIn() async throws {
        try await withWorld { world in
            let first = try await Self.ask(world, purpose: "maternal-checkup")
            let second = try await Self.ask(world, purpose: "research")
            let (browser, page) = try await Self.signIn(world)
            #expect(page.status == 200)
            // One of them is answered elsewhere (the portal) while the page is open: it is skipped.
            let granted = try await world.client.post(
                "/api/v1/me/consents/\(second)/grant",
                "",
                headers: ["Authorization": "Bearer \(world.residentToken)"]
            )
            #expect(granted.status == 200)
            let answered = try await Self.answer(world, browser, shown: [first, second], [("consent_all", "deny")])
            _ = try Self.code(answered)
            #expect(try await Self.statuses(world) == [first: "denied", second: "granted"])
            #expect(try await Self.appReads(world, purpose: "maternal-checkup").status == 404)

            // A request that arrives later was not shown: "all" does not answer it, the next sign-in asks it.
            let later = try await Self.ask(world, purpose: "newsletter")
            let stale = try await Self.answer(world, browser, shown: [first], [("consent_all", "grant")])
            _ = try Self.code(stale)
            #expect(try await Self.statuses(world)[later] == "requested")
            let sso = try await world.client.get(
                "/oauth2/authorize?\(IdentityHTTPTests.formBody(Self.carried))",
                headers: browser.cookies
            )
            #expect(sso.status == 200)
            #expect(sso.body.contains("newsletter") && !sso.body.contains("research"))
            // prompt=none shows no page (OIDC): the code is issued, the request waits for the next sign-in.
            let silent = try await world.client.get(
                "/oauth2/authorize?\(IdentityHTTPTests.formBody(Self.carried + [("prompt", "none")]))",
                headers: browser.cookies
            )
            _ = try Self.code(silent)
            #expect(try await Self.statuses(world)[later] == "requested")
        }
    }

    @Test func aForgedOrMissingFormTokenIsRefusedAndChangesNothing() async throws {
        try await withWorld { world in
            let checkup = try await Self.ask(world, purpose: "maternal-checkup")
            let (browser, page) = try await Self.signIn(world)
            #expect(page.status == 200)
            let grant = [("consent:\(checkup)", "grant")]
            let forged = try await Self.answer(world, browser, shown: [checkup], grant, formToken: "forged")
            #expect(forged.status == 400)
            // A form posted from another site carries the page's token but not the browser's CSRF cookie.
            var otherSite = browser
            otherSite.csrf = "another-browser"
            #expect(try await Self.answer(world, otherSite, shown: [checkup], grant).status == 400)
            let missing = try await world.client.post(
                "/oauth2/authorize",
                IdentityHTTPTests.formBody(
                    Self.carried + [("consent_step", "1"), ("consent_shown", checkup)] + grant
                ),
                contentType: "application/x-www-form-urlencoded",
                headers: browser.cookies
            )
            #expect(missing.status == 400)
            for reply in [forged, missing] { #expect(reply.headers[.location] == nil) }
            #expect(try await Self.statuses(world) == [checkup: "requested"])
            #expect(try await Self.appReads(world, purpose: "maternal-checkup").status == 404)
        }
    }
}
