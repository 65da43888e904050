import HTTPTypes
import MachiCore
import Testing

@Suite struct AttributeOperationTests {
    let id = "urn:ngsi-ld:WaterObserved:attrs"
    var path: String { "/ngsi-ld/v1/entities/\(id)" }

    @Test func updateAttributesReplacesExistingAndAddsNewAttributes() async throws {
        try await withMachi { [path, id] client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved(id, height: 1))
            let both = #"{"height": {"type": "Property", "value": 2}, "flow": {"type": "Property", "value": 9}}"#
            let reply = try await client.send(.patch, "\(path)/attrs", body: both)
            #expect(reply.status == 204)
            let read = try await client.get(path)
            #expect(read.json["height"]?["value"] == 2)
            #expect(read.json["height"]?["unitCode"] == nil, "an update replaces the whole attribute")
            #expect(read.json["flow"]?["value"] == 9)
        }
    }

    @Test func appendWithNoOverwriteKeepsExistingValues() async throws {
        try await withMachi { [path, id] client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved(id, height: 1))
            let body = #"{"height": {"type": "Property", "value": 7}, "flow": {"type": "Property", "value": 3}}"#
            let reply = try await client.post("\(path)/attrs?options=noOverwrite", body)
            #expect(reply.status == 207)
            let read = try await client.get(path)
            #expect(read.json["height"]?["value"] == 1)
            #expect(read.json["flow"]?["value"] == 3)
            #expect(
                try await client.post("\(path)/attrs", #"{"height": {"type": "Property", "value": 8}}"#).status == 204
            )
            #expect(try await client.get(path).json["height"]?["value"] == 8)
        }
    }

    @Test func mergePatchAddsMergesAndDeletesWithNull() async throws {
        try await withMachi { [path, id] client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved(id, height: 1))
            let body = #"{"height": {"value": 5}, "location": null, "name": "Narai"}"#
            #expect(try await client.send(.patch, path, body: body).status == 204)
            let read = try await client.get(path)
            #expect(read.json["height"]?["value"] == 5)
            #expect(read.json["height"]?["unitCode"] == "MTR", "members not in the patch are kept")
            #expect(read.json["location"] == nil)
            #expect(read.json["name"]?["value"] == "Narai")
        }
    }

    @Test func partialAttributeUpdateMergesMembers() async throws {
        try await withMachi { [path, id] client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved(id, height: 1))
            let reply = try await client.send(.patch, "\(path)/attrs/height", body: #"{"value": 6}"#)
            #expect(reply.status == 204)
            let read = try await client.get(path)
            #expect(read.json["height"]?["value"] == 6)
            #expect(read.json["height"]?["unitCode"] == "MTR")
            #expect(try await client.send(.patch, "\(path)/attrs/flow", body: #"{"value": 6}"#).status == 404)
        }
    }

    @Test func multiAttributesByDatasetIdAndTheirDeletion() async throws {
        try await withMachi { [path, id] client in
            let body = """
                {"id": "\(id)", "type": "WaterObserved", "height": [
                  {"type": "Property", "value": 1},
                  {"type": "Property", "value": 2, "datasetId": "urn:ngsi-ld:Dataset:radar"}]}
                """
            #expect(try await client.post("/ngsi-ld/v1/entities", body).status == 201)
            #expect(try await client.get(path).json["height"]?.arrayValue?.count == 2)
            let deleteOne = try await client.send(.delete, "\(path)/attrs/height?datasetId=urn:ngsi-ld:Dataset:radar")
            #expect(deleteOne.status == 204)
            #expect(try await client.get(path).json["height"]?["value"] == 1)
            #expect(try await client.send(.delete, "\(path)/attrs/height?deleteAll=true").status == 204)
            #expect(try await client.get(path).json["height"] == nil)
            #expect(try await client.send(.delete, "\(path)/attrs/height").status == 404)
        }
    }

    @Test func replaceEntityKeepsOnlyTheNewAttributes() async throws {
        try await withMachi { [path, id] client in
            try await client.post("/ngsi-ld/v1/entities", waterObserved(id, height: 1))
            let body = #"{"type": "WaterObserved", "flow": {"type": "Property", "value": 12}}"#
            #expect(try await client.send(.put, path, body: body).status == 204)
            let read = try await client.get(path)
            #expect(read.json["height"] == nil)
            #expect(read.json["flow"]?["value"] == 12)
        }
    }
}
