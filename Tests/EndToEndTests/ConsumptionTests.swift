import HTTPTypes
import MachiCore
import Testing

/// Retrieve and query: projections, Linked Entity retrieval, ordering, pagination links, dataset filters.
@Suite struct ConsumptionTests {
    /// A building located in a city, which is in a country; plus a second building without links.
    func seed(_ client: MachiClient) async throws {
        let entities = [
            #"{"id": "urn:ngsi-ld:Building:b1", "type": "Building", "name": {"type": "Property", "value": "Bravo"}, "#
                + #""locatedAt": {"type": "Relationship", "object": "urn:ngsi-ld:City:c1"}}"#,
            #"{"id": "urn:ngsi-ld:City:c1", "type": "City", "name": {"type": "Property", "value": "Shiojiri"}, "#
                + #""isInCountry": {"type": "Relationship", "object": "urn:ngsi-ld:Country:jp"}}"#,
            #"{"id": "urn:ngsi-ld:Country:jp", "type": "Country", "name": {"type": "Property", "value": "Japan"}, "#
                + #""description": {"type": "Property", "value": "An island country"}}"#,
            #"{"id": "urn:ngsi-ld:Building:b2", "type": "Building", "name": {"type": "Property", "value": "Alpha"}}"#,
        ]
        let reply = try await client.post("/ngsi-ld/v1/entityOperations/create", "[\(entities.joined(separator: ","))]")
        #expect(reply.status == 201)
    }

    func ids(_ reply: Reply) -> [String] { reply.json.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [] }

    @Test func inlineJoinEmbedsLinkedEntities() async throws {
        try await withMachi { client in
            try await seed(client)
            let reply = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Building:b1?join=inline&joinLevel=2")
            #expect(reply.status == 200)
            let city = reply.json["locatedAt"]?["entity"]
            #expect(city?["id"] == "urn:ngsi-ld:City:c1")
            #expect(city?["isInCountry"]?["entity"]?["name"]?["value"] == "Japan")
            let simplified = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:b1?join=inline&options=keyValues"
            )
            #expect(simplified.json["locatedAt"]?["name"] == "Shiojiri")
            #expect(simplified.json["locatedAt"]?["isInCountry"] == "urn:ngsi-ld:Country:jp", "joinLevel 1")
        }
    }

    @Test func flatJoinAppendsLinkedEntitiesWithTheirProjection() async throws {
        try await withMachi { client in
            try await seed(client)
            let pick = "id,locatedAt%7Bid,name,isInCountry%7Bdescription%7D%7D"
            let reply = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:b1?join=flat&joinLevel=2&pick=\(pick)"
            )
            #expect(reply.status == 200)
            #expect(ids(reply) == ["urn:ngsi-ld:Building:b1", "urn:ngsi-ld:City:c1"])
            let list = reply.json.arrayValue ?? []
            #expect(list.count == 3)
            #expect(list.last?["description"]?["value"] == "An island country")
            #expect(list.last?["name"] == nil)
            #expect(list.first?["name"] == nil && list.first?["type"] == nil)
        }
    }

    @Test func rejectsInvalidProjections() async throws {
        try await withMachi { client in
            try await seed(client)
            let base = "/ngsi-ld/v1/entities/urn:ngsi-ld:Building:b1"
            for bad in [
                "pick=id,locatedAt%7Bname", "pick=id,,name", "pick=id,locatedAt%7B%7D", "pick=name%7C%7Cid",
                "pick=name&attrs=name", "pick=locatedAt%7Bname%7D", "pick=locatedAt%7Bname%7D&join=inline&joinLevel=0",
                "omit=locatedAt%7BisInCountry%7Bname%7D%7D&join=inline&joinLevel=1", "format=weird",
            ] {
                let reply = try await client.get("\(base)?\(bad)")
                #expect(reply.status == 400, "\(bad)")
            }
            #expect(try await client.get("\(base)?pick=unknown").status == 404)
            #expect(try await client.get("\(base)?type=City").status == 404)
            #expect(try await client.get("\(base)?type=Building").status == 200)
        }
    }

    @Test func ordersAndLinksPages() async throws {
        try await withMachi { client in
            try await seed(client)
            let ordered = try await client.get("/ngsi-ld/v1/entities?type=Building&orderBy=name")
            #expect(ids(ordered) == ["urn:ngsi-ld:Building:b2", "urn:ngsi-ld:Building:b1"])
            let descending = try await client.get("/ngsi-ld/v1/entities?type=Building&orderBy=name;desc")
            #expect(ids(descending) == ["urn:ngsi-ld:Building:b1", "urn:ngsi-ld:Building:b2"])
            let first = try await client.get("/ngsi-ld/v1/entities?type=Building&limit=1")
            let links = first.headers[values: HTTPField.Name("Link")!].joined(separator: ",")
            #expect(links.contains("</ngsi-ld/v1/entities?limit=1&offset=1&type=Building>; rel=\"next\""))
            #expect(!links.contains("rel=\"prev\""))
            #expect(try await client.get("/ngsi-ld/v1/entities?type=Building&orderBy=name&collation=!!").status == 400)
        }
    }

    @Test func formEncodedSpacesAndPostSelectors() async throws {
        try await withMachi { client in
            try await seed(client)
            let spaced = try await client.get(
                "/ngsi-ld/v1/entities?type=Country&q=description==%22An+island+country%22"
            )
            #expect(ids(spaced) == ["urn:ngsi-ld:Country:jp"])
            let union = try await client.post(
                "/ngsi-ld/v1/entityOperations/query",
                #"{"type": "Query", "entities": [{"type": "City"}, {"type": "Country", "id": ["urn:ngsi-ld:Country:jp"]}]}"#
            )
            #expect(Set(ids(union)) == ["urn:ngsi-ld:City:c1", "urn:ngsi-ld:Country:jp"])
            let noType = try await client.post(
                "/ngsi-ld/v1/entityOperations/query",
                #"{"type": "Query", "entities": [{"id": "urn:ngsi-ld:Country:jp"}]}"#
            )
            #expect(noType.status == 400)
            let idOnly = try await client.get("/ngsi-ld/v1/entities?id=urn:ngsi-ld:Country:jp")
            #expect(idOnly.status == 400, "id alone does not narrow a query")
        }
    }

    @Test func simplifiedDatasetMapAndDatasetFilter() async throws {
        try await withMachi { client in
            let body =
                #"{"id": "urn:ngsi-ld:Vehicle:v1", "type": "Vehicle", "speed": [{"type": "Property", "value": 55}, "#
                + #"{"type": "Property", "value": 11, "datasetId": "urn:ngsi-ld:Dataset:gps"}]}"#
            #expect(try await client.post("/ngsi-ld/v1/entities", body).status == 201)
            let simplified = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:v1?options=keyValues")
            #expect(simplified.json["speed"]?["dataset"]?["@none"] == 55)
            #expect(simplified.json["speed"]?["dataset"]?["urn:ngsi-ld:Dataset:gps"] == 11)
            let filtered = try await client.get("/ngsi-ld/v1/entities?type=Vehicle&datasetId=urn:ngsi-ld:Dataset:gps")
            #expect(filtered.json.arrayValue?.first?["speed"]?["value"] == 11)
        }
    }
}
