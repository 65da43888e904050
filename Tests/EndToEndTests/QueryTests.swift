import HTTPTypes
import MachiCore
import Testing

@Suite struct QueryTests {
    /// Five gauges along a line in Shiojiri, heights 1…5.
    func seed(_ client: MachiClient) async throws {
        let entities = (1...5).map {
            waterObserved(
                "urn:ngsi-ld:WaterObserved:q\($0)",
                height: Double($0),
                longitude: 137.95 + Double($0) * 0.01,
                latitude: 36.11
            )
        }
        let reply = try await client.post("/ngsi-ld/v1/entityOperations/create", "[\(entities.joined(separator: ","))]")
        #expect(reply.status == 201)
        try await client.post(
            "/ngsi-ld/v1/entities",
            #"{"id": "urn:ngsi-ld:Shelter:1", "type": "Shelter", "capacity": {"type": "Property", "value": 300}}"#
        )
    }

    func ids(_ reply: Reply) -> [String] { reply.json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }

    @Test func queryByTypeAndQ() async throws {
        try await withMachi { client in
            try await seed(client)
            let reply = try await client.get("/ngsi-ld/v1/entities?type=WaterObserved&q=height%3E3")
            #expect(reply.status == 200)
            #expect(Set(ids(reply)) == ["urn:ngsi-ld:WaterObserved:q4", "urn:ngsi-ld:WaterObserved:q5"])
            let range = try await client.get("/ngsi-ld/v1/entities?type=WaterObserved&q=height==2..3")
            #expect(Set(ids(range)) == ["urn:ngsi-ld:WaterObserved:q2", "urn:ngsi-ld:WaterObserved:q3"])
        }
    }

    @Test func typeExpressionsSelectSeveralTypes() async throws {
        try await withMachi { client in
            try await seed(client)
            let reply = try await client.get("/ngsi-ld/v1/entities?type=Shelter,WaterObserved&limit=100")
            #expect(ids(reply).count == 6)
        }
    }

    @Test func paginationWithCount() async throws {
        try await withMachi { client in
            try await seed(client)
            let page = try await client.get("/ngsi-ld/v1/entities?type=WaterObserved&limit=2&offset=2&count=true")
            #expect(page.header("NGSILD-Results-Count") == "5")
            #expect(ids(page) == ["urn:ngsi-ld:WaterObserved:q3", "urn:ngsi-ld:WaterObserved:q4"])
            let tooMany = try await client.get("/ngsi-ld/v1/entities?type=WaterObserved&limit=100000")
            #expect(tooMany.status == 403)
            #expect(tooMany.errorType == "TooManyResults")
        }
    }

    @Test func geoNearFindsOnlyCloseEntities() async throws {
        try await withMachi { client in
            try await seed(client)
            // q1 is at 137.96, q2 at 137.97: about 900 m apart at this latitude.
            let reply = try await client.get(
                "/ngsi-ld/v1/entities?type=WaterObserved&georel=near;maxDistance==500&geometry=Point&coordinates=%5B137.96,36.11%5D"
            )
            #expect(reply.status == 200)
            #expect(ids(reply) == ["urn:ngsi-ld:WaterObserved:q1"])
        }
    }

    @Test func geoWithinAPolygon() async throws {
        try await withMachi { client in
            try await seed(client)
            let polygon =
                "%5B%5B%5B137.965,36.1%5D,%5B137.985,36.1%5D,%5B137.985,36.12%5D,%5B137.965,36.12%5D,%5B137.965,36.1%5D%5D%5D"
            let reply = try await client.get(
                "/ngsi-ld/v1/entities?type=WaterObserved&georel=within&geometry=Polygon&coordinates=\(polygon)"
            )
            #expect(Set(ids(reply)) == ["urn:ngsi-ld:WaterObserved:q2", "urn:ngsi-ld:WaterObserved:q3"])
        }
    }

    @Test func postQueryMatchesGetQuery() async throws {
        try await withMachi { client in
            try await seed(client)
            let body = #"{"type": "Query", "entities": [{"type": "WaterObserved"}], "q": "height<2"}"#
            let reply = try await client.post("/ngsi-ld/v1/entityOperations/query", body)
            #expect(reply.status == 200)
            #expect(ids(reply) == ["urn:ngsi-ld:WaterObserved:q1"])
        }
    }

    @Test func attrsProjectsTheResponse() async throws {
        try await withMachi { client in
            try await seed(client)
            let reply = try await client.get("/ngsi-ld/v1/entities?type=WaterObserved&attrs=location&limit=1")
            let first = try #require(reply.json.arrayValue?.first)
            #expect(first["location"] != nil)
            #expect(first["height"] == nil)
        }
    }

    @Test func geoJSONRepresentation() async throws {
        try await withMachi { client in
            try await seed(client)
            let reply = try await client.get(
                "/ngsi-ld/v1/entities?type=WaterObserved&limit=1",
                headers: ["Accept": "application/geo+json"]
            )
            #expect(reply.header("Content-Type") == "application/geo+json")
            #expect(reply.json["type"] == "FeatureCollection")
            #expect(reply.json["features"]?.arrayValue?.first?["geometry"]?["type"] == "Point")
        }
    }

    @Test func discoveryListsTypesAndAttributes() async throws {
        try await withMachi { client in
            try await seed(client)
            let types = try await client.get("/ngsi-ld/v1/types")
            #expect(Set(types.json["typeList"]?.arrayValue ?? []) == ["WaterObserved", "Shelter"])
            let info = try await client.get("/ngsi-ld/v1/types/WaterObserved")
            #expect(info.json["entityCount"] == 5)
            let attributes = try await client.get("/ngsi-ld/v1/attributes")
            #expect(Set(attributes.json["attributeList"]?.arrayValue ?? []) == ["height", "location", "capacity"])
        }
    }
}
