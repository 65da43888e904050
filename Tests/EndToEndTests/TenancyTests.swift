import HTTPTypes
import MachiCore
import Testing

@Suite struct TenancyTests {
    @Test func tenantsAreIsolated() async throws {
        try await withMachi { client in
            let created = try await client.post(
                "/ngsi-ld/v1/entities",
                waterObserved("urn:ngsi-ld:W:t", height: 1),
                headers: ["NGSILD-Tenant": "matsumoto"]
            )
            #expect(created.status == 201)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:t").status == 404)
            let inTenant = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:W:t",
                headers: ["NGSILD-Tenant": "matsumoto"]
            )
            #expect(inTenant.status == 200)
            let other = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:W:t",
                headers: ["NGSILD-Tenant": "azumino"]
            )
            #expect(other.status == 404)
            let query = try await client.get("/ngsi-ld/v1/entities?type=WaterObserved")
            #expect(query.json.arrayValue?.isEmpty == true)
        }
    }

    @Test func readingAnUnknownTenantIsNotFound() async throws {
        try await withMachi { client in
            let reply = try await client.get(
                "/ngsi-ld/v1/entities?type=WaterObserved",
                headers: ["NGSILD-Tenant": "nowhere"]
            )
            #expect(reply.status == 404)
        }
    }
}
