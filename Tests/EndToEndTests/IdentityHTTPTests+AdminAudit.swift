import Foundation
import HTTPTypes
import MachiApp
import MachiCore
import MachiStore
import Testing

/// Every admin action on users and clients leaves a record in the identity database's audit chain, which
/// `GET /api/v1/audit?chain=identity` shows to the tenant's admins; refused actions leave none.
extension IdentityHTTPTests {
    /// The `admin.*` records of the identity chain an admin of `tenant` sees, oldest first.
    static func adminRecords(_ client: MachiClient, token: String, tenant: String? = nil) async throws -> [JSON] {
        var headers = ["Authorization": "Bearer \(token)"]
        if let tenant { headers["NGSILD-Tenant"] = tenant }
        let reply = try await client.get("/api/v1/audit?chain=identity&limit=1000", headers: headers)
        #expect(reply.status == 200)
        return try #require(reply.json.arrayValue).filter {
            $0["action"]?.stringValue?.hasPrefix("admin.") == true && $0["actor"]?["kind"] == "person"
        }.reversed()
    }

    @Test func everyAdminActionIsAuditedAndRefusedOnesAreNot() async throws {
        try await withIdentityServer { client, seed in
            let admin = ["Authorization": "Bearer \(seed.adminToken)"]
            let carol = try await client.post(
                "/api/v1/admin/users",
                #"{"username":"carol","password":"carol's secret password","roles":["operator"]}"#,
                headers: admin
            )
            #expect(carol.status == 201)
            let carolId = try #require(carol.json["id"]?.stringValue)
            let changed = try await client.send(
                .patch,
                "/api/v1/admin/users/carol",
                body: #"{"roles":["developer"],"password":"another secret password","disabled":true}"#,
                headers: admin
            )
            #expect(changed.status == 200)
            let linked = try await client.post(
                "/api/v1/admin/users/carol/external-ids",
                #"{"scheme":"mynumber","value":"\#(Self.myNumber)"}"#,
                headers: admin
            )
            #expect(linked.status == 204)
            let dashboard = try await client.post(
                "/api/v1/admin/clients",
                #"{"clientId":"dashboard","scopes":["ngsi-ld:read"],"grantTypes":["client_credentials"]}"#,
                headers: admin
            )
            #expect(dashboard.status == 201)
            let secret = try #require(dashboard.json["clientSecret"]?.stringValue)
            #expect(try await client.send(.delete, "/api/v1/admin/clients/dashboard", headers: admin).status == 204)

            let records = try await Self.adminRecords(client, token: seed.adminToken)
            #expect(
                records.map { $0["action"]?.stringValue } == [
                    "admin.user.create", "admin.user.roles", "admin.user.password", "admin.user.disable",
                    "admin.user.link", "admin.client.create", "admin.client.delete",
                ]
            )
            #expect(records.prefix(5).allSatisfy { $0["target"]?.stringValue == carolId })
            #expect(records.suffix(2).allSatisfy { $0["target"] == "dashboard" })
            let actors = Set(records.compactMap { $0["actor"]?["subject"]?.stringValue })
            #expect(actors.count == 1 && actors.first?.hasPrefix("urn:machi:person:") == true)
            #expect(records.allSatisfy { $0["actor"]?["clientId"] == "app" && $0["tenant"] == "" })
            #expect(records.allSatisfy { $0["requestId"]?.stringValue?.isEmpty == false })
            let text = records.map { "\($0)" }.joined()
            for secretText in ["carol's secret", "another secret", Self.myNumber, secret] {
                #expect(!text.contains(secretText))
            }

            // Refused: a taken username, a short password, no such client, no admin role, a tenant admin taking
            // over a user of another tenant. None leaves a record.
            #expect(
                try await client.post("/api/v1/admin/users", #"{"username":"carol"}"#, headers: admin).status == 409
            )
            let short = try await client.send(
                .patch,
                "/api/v1/admin/users/carol",
                body: #"{"password":"short","roles":["admin"]}"#,
                headers: admin
            )
            #expect(short.status == 400)
            #expect(try await client.send(.delete, "/api/v1/admin/clients/nothing", headers: admin).status == 404)
            let resident = ["Authorization": "Bearer \(seed.residentToken)"]
            #expect(
                try await client.post("/api/v1/admin/users", #"{"username":"eve"}"#, headers: resident).status == 403
            )
            let takeover = try await client.send(
                .patch,
                "/api/v1/admin/users/alice",
                body: #"{"disabled":true}"#,
                headers: ["Authorization": "Bearer \(seed.tenantAdminToken)", "NGSILD-Tenant": "okaya"]
            )
            #expect(takeover.status == 403)
            #expect(try await Self.adminRecords(client, token: seed.adminToken).count == records.count)
            #expect(try await Self.adminRecords(client, token: seed.tenantAdminToken, tenant: "okaya").isEmpty)

            // A tenant admin's action is recorded in that tenant, and only that tenant's admins see it.
            let staff = try await client.send(
                .patch,
                "/api/v1/admin/users/okaya-staff",
                body: #"{"disabled":true}"#,
                headers: ["Authorization": "Bearer \(seed.tenantAdminToken)", "NGSILD-Tenant": "okaya"]
            )
            #expect(staff.status == 200)
            let okaya = try await Self.adminRecords(client, token: seed.tenantAdminToken, tenant: "okaya")
            #expect(okaya.map { $0["action"]?.stringValue } == ["admin.user.disable"])
            #expect(okaya.first?["tenant"] == "okaya")
            #expect(try await Self.adminRecords(client, token: seed.adminToken).count == records.count)
            let noAdmin = try await client.get(
                "/api/v1/audit?chain=identity",
                headers: ["Authorization": "Bearer \(seed.residentToken)"]
            )
            #expect(noAdmin.status == 403)
            #expect(try await client.get("/api/v1/audit?chain=other", headers: admin).status == 400)

            let reports = try AuditCheck.run(directory: seed.dataDirectory, tenant: nil)
            #expect(reports.contains { $0.file == "identity.sqlite" && $0.verification?.isIntact == true })
            #expect(!reports.contains { $0.isBroken })
        }
    }
}
