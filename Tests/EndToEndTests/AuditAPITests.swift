import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MachiCore
import MachiHTTP
import MachiSQLite
import MachiStore
import Testing

@Suite struct AuditAPITests {
    @Test func writesShowInTheTenantsAuditTrail() async throws {
        try await withMachi { client in
            let headers = ["NGSILD-Tenant": "okaya"]
            #expect(
                try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:W:1", height: 1),
                    headers: headers
                ).status == 201
            )
            #expect(
                try await client.post(
                    "/ngsi-ld/v1/entities",
                    waterObserved("urn:ngsi-ld:W:2", height: 1),
                    headers: headers
                ).status == 201
            )
            #expect(
                try await client.send(.delete, "/ngsi-ld/v1/entities/urn:ngsi-ld:W:1", headers: headers).status == 204
            )
            let all = try await client.get("/api/v1/audit", headers: headers)
            #expect(all.status == 200)
            let records = try #require(all.json.arrayValue)
            #expect(records.map { $0["action"]?.stringValue } == ["entity.delete", "entity.create", "entity.create"])
            #expect(records.first?["target"] == "urn:ngsi-ld:W:1")
            #expect(records.first?["tenant"] == "okaya")
            #expect(records.first?["actor"]?["subject"] == "urn:machi:anonymous")
            #expect(records.first?["hash"]?.stringValue?.count == 64)
            let filtered = try await client.get(
                "/api/v1/audit?action=entity.create&target=urn:ngsi-ld:W:2",
                headers: headers
            )
            #expect(filtered.json.arrayValue?.count == 1)
            #expect(try await client.get("/api/v1/audit").json.arrayValue?.isEmpty == true)
            #expect(try await client.get("/api/v1/audit?limit=0").status == 400)
            #expect(try await client.get("/api/v1/audit?from=yesterday").status == 400)
        }
    }

    @Test func inOpenModeTheAccessLogNeedsAnOwner() async throws {
        try await withMachi { client in
            #expect(try await client.get("/api/v1/me/access-log").status == 400)
            let reply = try await client.get("/api/v1/me/access-log?owner=urn:machi:person:1")
            #expect(reply.status == 200)
            #expect(reply.json.arrayValue?.isEmpty == true)
        }
    }

    /// A router with the audit routes whose callers are the principals named in `X-Test-Principal`.
    static func withAuditRouter(
        _ body: @Sendable (any TestClientProtocol, SQLiteEntityStore) async throws -> Void
    ) async throws {
        let store = try SQLiteEntityStore(configuration: SQLiteStoreConfiguration(storage: .inMemory))
        defer { try? store.close() }
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: PrincipalHeader())
        AuditRouter.register(on: router, log: store)
        try await Application(router: router).test(.router) { client in try await body(client, store) }
    }

    static func get(_ client: any TestClientProtocol, _ path: String, as principal: String) async throws -> (Int, JSON)
    {
        let response = try await client.executeRequest(
            uri: path,
            method: .get,
            headers: [HTTPField.Name("X-Test-Principal")!: principal],
            body: nil
        )
        return (response.status.code, (try? JSONParser.parse(String(buffer: response.body))) ?? .null)
    }

    @Test func onlyAdminsReadTheAuditTrail() async throws {
        try await Self.withAuditRouter { client, store in
            _ = try await store.apply([], tenant: "")
            #expect(try await Self.get(client, "/api/v1/audit", as: "admin").0 == 200)
            let (status, problem) = try await Self.get(client, "/api/v1/audit", as: "bob")
            #expect(status == 403)
            #expect(problem["status"] == 403)
            #expect(try await Self.get(client, "/api/v1/audit", as: "anonymous").0 == 403)
        }
    }

    @Test func residentsSeeWhoReadTheirData() async throws {
        try await Self.withAuditRouter { client, store in
            let reader = AuditContext(
                actor: AuditActor(subject: "urn:machi:application:care", kind: "application", clientId: "care"),
                requestId: "r7",
                purpose: "elderly-care"
            )
            try await store.recordReads(
                [
                    PersonalDataRead(entityId: "urn:ngsi-ld:Person:bob", owner: "urn:machi:person:bob"),
                    PersonalDataRead(entityId: "urn:ngsi-ld:Person:carol", owner: "urn:machi:person:carol"),
                ],
                context: reader,
                tenant: ""
            )
            let (status, log) = try await Self.get(client, "/api/v1/me/access-log", as: "bob")
            #expect(status == 200)
            let entries = try #require(log.arrayValue)
            #expect(entries.count == 1)
            #expect(entries.first?["entity"] == "urn:ngsi-ld:Person:bob")
            #expect(entries.first?["purpose"] == "elderly-care")
            #expect(entries.first?["reader"]?["subject"] == "urn:machi:application:care")
            // `owner` does not let a resident read another's log.
            let other = try await Self.get(client, "/api/v1/me/access-log?owner=urn:machi:person:carol", as: "bob")
            #expect(other.1.arrayValue?.first?["entity"] == "urn:ngsi-ld:Person:bob")
            #expect(try await Self.get(client, "/api/v1/me/access-log", as: "anonymous").0 == 401)
        }
    }
}

/// Sets the principal from `X-Test-Principal`: `admin` (admin of the default tenant), `anonymous`, or a person.
private struct PrincipalHeader: RouterMiddleware {
    func handle(
        _ request: Request,
        context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        switch request.headers[HTTPField.Name("X-Test-Principal")!] {
        case "admin":
            context.principal = Principal(subject: "urn:machi:person:admin", kind: .person, roles: ["": [.admin]])
        case "anonymous", nil: context.principal = .anonymous
        case let name?:
            context.principal = Principal(subject: "urn:machi:person:\(name)", kind: .person, roles: ["": [.resident]])
        }
        return try await next(request, context)
    }
}
