import HTTPTypes
import MachiCore
import Testing

@Suite struct EntityLifecycleTests {
    @Test func createThenRetrieveRoundTripsTheEntity() async throws {
        try await withMachi { client in
            let created = try await client.post(
                "/ngsi-ld/v1/entities",
                waterObserved("urn:ngsi-ld:WaterObserved:1", height: 2.5)
            )
            #expect(created.status == 201)
            #expect(created.header("Location") == "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:1")

            let read = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:1")
            #expect(read.status == 200)
            #expect(read.json["id"] == "urn:ngsi-ld:WaterObserved:1")
            #expect(read.json["type"] == "WaterObserved")
            #expect(read.json["height"]?["value"] == 2.5)
            #expect(read.json["height"]?["unitCode"] == "MTR")
            #expect(read.json["height"]?["observedAt"] == "2026-11-21T09:00:00Z")
            #expect(read.json["location"]?["type"] == "GeoProperty")
            #expect(read.json["height"]?["createdAt"] == nil, "system attributes only with options=sysAttrs")
            #expect(read.header("Link")?.contains("ngsi-ld-core-context") == true)
        }
    }

    @Test func creatingTheSameIdTwiceIsAConflict() async throws {
        try await withMachi { client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:dup", height: 1))
            let again = try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:dup", height: 9))
            #expect(again.status == 409)
            #expect(again.errorType == "AlreadyExists")
            let read = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:dup")
            #expect(read.json["height"]?["value"] == 1, "the failed create changed nothing")
        }
    }

    @Test func sysAttrsAddsTimestamps() async throws {
        try await withMachi { client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:sys", height: 1))
            let read = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:sys?options=sysAttrs")
            let createdAt = try #require(read.json["createdAt"]?.stringValue)
            #expect(DateTimeText.isValid(createdAt))
            #expect(read.json["height"]?["modifiedAt"]?.stringValue != nil)
        }
    }

    @Test func keyValuesAndConciseRepresentations() async throws {
        try await withMachi { client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:kv", height: 1.5))
            let simplified = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:kv?options=keyValues")
            #expect(simplified.json["height"] == 1.5)
            #expect(simplified.json["location"]?["type"] == "Point")
            let concise = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:kv?format=concise")
            #expect(concise.json["height"]?["value"] == 1.5)
            #expect(concise.json["height"]?["type"] == nil)
        }
    }

    @Test func retrieveAnUnknownEntityIsNotFound() async throws {
        try await withMachi { client in
            let read = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:missing")
            #expect(read.status == 404)
            #expect(read.errorType == "ResourceNotFound")
        }
    }

    @Test func deleteRemovesTheEntity() async throws {
        try await withMachi { client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:W:del", height: 1))
            #expect(try await client.send(.delete, "/ngsi-ld/v1/entities/urn:ngsi-ld:W:del").status == 204)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:del").status == 404)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/entities/urn:ngsi-ld:W:del").status == 404)
        }
    }

    @Test func ldJSONBodiesCarryTheirContext() async throws {
        try await withMachi { client in
            let body = """
                {"id": "urn:ngsi-ld:W:ld", "type": "WaterObserved", "height": {"type": "Property", "value": 4},
                 "@context": [{"WaterObserved": "https://smartdatamodels.org/dataModel.Environment/WaterObserved",
                               "height": "https://smartdatamodels.org/dataModel.Environment/height"},
                              "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]}
                """
            #expect(
                try await client.post("/ngsi-ld/v1/entities", body, contentType: "application/ld+json").status == 201
            )
            let read = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:ld")
            #expect(read.json["type"] == "https://smartdatamodels.org/dataModel.Environment/WaterObserved")
            #expect(read.json["https://smartdatamodels.org/dataModel.Environment/height"]?["value"] == 4)
        }
    }
}
