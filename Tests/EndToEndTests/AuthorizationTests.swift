import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MachiCore
import MachiIdentity
import NIOCore
import Testing

@testable import MachiHTTP

/// The authorization middleware in front of every API: which action each route needs, and how a refusal reads.
@Suite struct AuthorizationTests {
    struct RouteCase: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var action: AccessAction?
        var testDescription: String { "\(method) \(path) → \(action.map { "\($0)" } ?? "public")" }
    }

    static let routes: [RouteCase] = [
        RouteCase(method: .get, path: "/ngsi-ld/v1/entities", action: .read),
        RouteCase(method: .head, path: "/ngsi-ld/v1/entities/urn:a", action: .read),
        RouteCase(method: .post, path: "/ngsi-ld/v1/entities", action: .write),
        RouteCase(method: .patch, path: "/ngsi-ld/v1/entities/urn:a/attrs", action: .write),
        RouteCase(method: .delete, path: "/ngsi-ld/v1/entities/urn:a", action: .write),
        RouteCase(method: .post, path: "/ngsi-ld/v1/entityOperations/query", action: .read),
        RouteCase(method: .post, path: "/ngsi-ld/v1/entityOperations/upsert", action: .write),
        RouteCase(method: .post, path: "/ngsi-ld/v1/temporal/entityOperations/query", action: .read),
        RouteCase(method: .post, path: "/ngsi-ld/v1/temporal/entities", action: .write),
        RouteCase(method: .get, path: "/ngsi-ld/v1/subscriptions", action: .read),
        RouteCase(method: .post, path: "/ngsi-ld/v1/subscriptions", action: .subscribe),
        RouteCase(method: .delete, path: "/ngsi-ld/v1/subscriptions/urn:s", action: .subscribe),
        RouteCase(method: .post, path: "/ngsi-ld/v1/jsonldContexts", action: .write),
        RouteCase(method: .get, path: "/iot/devices", action: .iotAdmin),
        RouteCase(method: .post, path: "/iot/services", action: .iotAdmin),
        RouteCase(method: .post, path: "/iot/d", action: nil),  // devices: API key, checked by the agent
        RouteCase(method: .post, path: "/iot/json", action: nil),
        RouteCase(method: .get, path: "/iot/about", action: nil),
        RouteCase(method: .get, path: "/api/v1/admin/users", action: .admin),
        RouteCase(method: .get, path: "/api/v1/audit", action: .auditRead),
        RouteCase(method: .post, path: "/api/v1/me/consents/c1/grant", action: .selfService),
        RouteCase(method: .post, path: "/api/v1/consent-requests", action: .requestConsent),
        RouteCase(method: .get, path: "/health", action: nil),
        RouteCase(method: .post, path: "/oauth2/token", action: nil),
        RouteCase(method: .get, path: "/.well-known/jwks.json", action: nil),
    ]

    @Test(arguments: routes) func eachRouteNeedsItsAction(_ row: RouteCase) {
        #expect(AccessRoute(method: row.method, path: row.path)?.action == row.action)
    }

    /// A router with the middleware, where a test header stands in for the authentication middleware.
    func withRouter(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: PrincipalFromTestHeader())
        router.add(middleware: AuthorizationMiddleware(policy: AccessPolicy(publicReadTenants: ["opendata"])))
        router.get("ngsi-ld/v1/entities") { _, _ in "entities" }
        router.post("ngsi-ld/v1/entities") { _, _ in Response(status: .created) }
        router.get("iot/devices") { _, _ in "devices" }
        try await Application(router: router).test(.router) { client in try await body(client) }
    }

    @Test func anonymousReadsOfAPublicTenantPassAndWritesAreAskedToSignIn() async throws {
        try await withRouter { client in
            try await client.execute(uri: "/ngsi-ld/v1/entities", method: .get, headers: [.tenant: "opendata"]) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/ngsi-ld/v1/entities", method: .post, headers: [.tenant: "opendata"]) {
                #expect($0.status == .unauthorized)
                #expect($0.headers[.wwwAuthenticate] == #"Bearer realm="machi""#)
                let body = try JSONParser.parse(Array($0.body.readableBytesView))
                #expect(body["type"]?.stringValue == "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest")
                #expect(body["status"] == .number(401))
            }
            try await client.execute(uri: "/ngsi-ld/v1/entities", method: .get, headers: [.tenant: "city"]) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test func aResidentMayReadButNotWriteNorProvisionDevices() async throws {
        try await withRouter { client in
            let resident: HTTPFields = [.tenant: "city", .testPrincipal: "resident"]
            try await client.execute(uri: "/ngsi-ld/v1/entities", method: .get, headers: resident) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/ngsi-ld/v1/entities", method: .post, headers: resident) {
                #expect($0.status == .forbidden)
                let body = try JSONParser.parse(Array($0.body.readableBytesView))
                #expect(body["type"]?.stringValue == "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest")
            }
            let iot: HTTPFields = [.fiwareService: "City", .testPrincipal: "resident"]
            try await client.execute(uri: "/iot/devices", method: .get, headers: iot) {
                #expect($0.status == .forbidden)
                let body = try JSONParser.parse(Array($0.body.readableBytesView))
                #expect(body["name"]?.stringValue == "FORBIDDEN")  // FIWARE's error shape under /iot
            }
        }
    }
}

extension HTTPField.Name {
    static let tenant = Self("NGSILD-Tenant")!
    static let testPrincipal = Self("X-Test-Principal")!
}

/// Sets a resident of tenant `city` (with read and write scopes in the token) when `X-Test-Principal: resident`,
/// an anonymous caller otherwise.
struct PrincipalFromTestHeader: RouterMiddleware {
    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.principal =
            request.headers[.testPrincipal] == "resident"
            ? Principal(
                subject: "urn:machi:person:hanako",
                kind: .person,
                roles: ["city": [.resident]],
                scopes: [Scope.read, Scope.write, Scope.iotAdmin]
            )
            : .anonymous
        return try await next(request, context)
    }
}
