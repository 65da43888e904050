import HTTPTypes
import MachiCore
import Testing

@Suite struct BatchOperationTests {
    @Test func batchCreateReports207ForTheFailedEntitiesOnly() async throws {
        try await withMachi { client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:b1", height: 1))
            let batch =
                "[\(waterObserved("urn:ngsi-ld:W:b1", height: 2)), \(waterObserved("urn:ngsi-ld:W:b2", height: 3)), {\"id\": \"bad id\", \"type\": \"X\"}]"
            let reply = try await client.post("/ngsi-ld/v1/entityOperations/create", batch)
            #expect(reply.status == 207)
            #expect(reply.json["success"] == ["urn:ngsi-ld:W:b2"])
            let errors = reply.json["errors"]?.arrayValue ?? []
            #expect(errors.count == 2)
            #expect(errors.first?["entityId"] == "urn:ngsi-ld:W:b1")
            #expect(errors.first?["error"]?["type"] == "https://uri.etsi.org/ngsi-ld/errors/AlreadyExists")
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:b1").json["height"]?["value"] == 1)
        }
    }

    @Test func batchCreateOfNewEntitiesAnswers201WithTheirIds() async throws {
        try await withMachi { client in
            let batch =
                "[\(waterObserved("urn:ngsi-ld:W:c1", height: 1)), \(waterObserved("urn:ngsi-ld:W:c2", height: 2))]"
            let reply = try await client.post("/ngsi-ld/v1/entityOperations/create", batch)
            #expect(reply.status == 201)
            #expect(reply.json == ["urn:ngsi-ld:W:c1", "urn:ngsi-ld:W:c2"])
        }
    }

    @Test func upsertCreatesNewAndReplacesOrUpdatesExisting() async throws {
        try await withMachi { client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:u1", height: 1))
            let update =
                #"[{"id": "urn:ngsi-ld:W:u1", "type": "WaterObserved", "flow": {"type": "Property", "value": 4}}]"#
            #expect(try await client.post("/ngsi-ld/v1/entityOperations/upsert?options=update", update).status == 204)
            let merged = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:u1")
            #expect(merged.json["height"]?["value"] == 1)
            #expect(merged.json["flow"]?["value"] == 4)

            #expect(try await client.post("/ngsi-ld/v1/entityOperations/upsert", update).status == 204)
            let replaced = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:u1")
            #expect(replaced.json["height"] == nil)

            let created = try await client.post(
                "/ngsi-ld/v1/entityOperations/upsert",
                "[\(waterObserved("urn:ngsi-ld:W:u2", height: 2))]"
            )
            #expect(created.status == 201)
            #expect(created.json == ["urn:ngsi-ld:W:u2"])
        }
    }

    @Test func batchDeleteReportsMissingEntities() async throws {
        try await withMachi { client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:d1", height: 1))
            let reply = try await client.post(
                "/ngsi-ld/v1/entityOperations/delete",
                #"["urn:ngsi-ld:W:d1", "urn:ngsi-ld:W:nope"]"#
            )
            #expect(reply.status == 207)
            #expect(reply.json["success"] == ["urn:ngsi-ld:W:d1"])
            #expect(reply.json["errors"]?.arrayValue?.first?["entityId"] == "urn:ngsi-ld:W:nope")
        }
    }
}
