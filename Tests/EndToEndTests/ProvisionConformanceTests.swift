import HTTPTypes
import MachiCore
import Testing

/// Provision behaviour from the ETSI conformance work: NGSI-LD Nulls, type selectors, scope, purge, batch validation.
@Suite struct ProvisionConformanceTests {
    let id = "urn:ngsi-ld:WaterObserved:provision"
    var path: String { "/ngsi-ld/v1/entities/\(id)" }

    @Test func ngsiLdNullDeletesInUpdatesButIsRejectedOnCreate() async throws {
        try await withMachi { [path, id] client in
            _ = try await client.post("/ngsi-ld/v1/entities", waterObserved(id, height: 1))
            let null = #"{"height": {"type": "Property", "value": "urn:ngsi-ld:null"}}"#
            #expect(try await client.send(.patch, "\(path)/attrs", body: null).status == 204)
            #expect(try await client.get(path).json["height"] == nil)
            let create =
                #"{"id": "urn:ngsi-ld:T:null", "type": "T", "a": {"type": "Property", "value": "urn:ngsi-ld:null"}}"#
            let reply = try await client.post("/ngsi-ld/v1/entities", create)
            #expect(reply.status == 400)
            #expect(reply.errorType == "BadRequestData")
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:T:null").status == 404)
        }
    }

    @Test func typeSelectorGatesWrites() async throws {
        try await withMachi { [path, id] client in
            _ = try await client.post("/ngsi-ld/v1/entities", waterObserved(id, height: 1))
            let body = #"{"height": {"type": "Property", "value": 2}}"#
            #expect(try await client.send(.patch, "\(path)/attrs?type=Road", body: body).status == 404)
            #expect(try await client.get(path).json["height"]?["value"] == 1)
            #expect(try await client.send(.patch, "\(path)/attrs?type=WaterObserved", body: body).status == 204)
            #expect(try await client.send(.delete, "\(path)?type=Road").status == 404)
            #expect(try await client.send(.delete, "\(path)?type=WaterObserved").status == 204)
        }
    }

    @Test func scopeIsAppendedReplacedAndDeleted() async throws {
        try await withMachi { [path, id] client in
            _ = try await client.post("/ngsi-ld/v1/entities", #"{"id": "\#(id)", "type": "T", "scope": "/Madrid"}"#)
            #expect(try await client.post("\(path)/attrs?options=noOverwrite", #"{"scope": "/Rome"}"#).status == 204)
            #expect(try await client.get(path).json["scope"] == ["/Madrid", "/Rome"])
            #expect(try await client.send(.patch, "\(path)/attrs/scope", body: #"{"value": "/X"}"#).status == 400)
            #expect(try await client.send(.delete, "\(path)/attrs/scope").status == 204)
            #expect(try await client.get(path).json["scope"] == nil)
            let reply = try await client.send(.patch, "\(path)/attrs", body: #"{"scope": "/Paris"}"#)
            #expect(reply.status == 207, "an update does not add a scope the entity lacks")
        }
    }

    @Test func purgeDeletesWhatTheQuerySelectsAndRefusesWideQueries() async throws {
        try await withMachi { client in
            _ = try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:WaterObserved:p1", height: 1))
            _ = try await client.post("/ngsi-ld/v1/entities", waterObserved("urn:ngsi-ld:WaterObserved:p2", height: 5))
            let wide = try await client.send(.delete, "/ngsi-ld/v1/entities?idPattern=.*")
            #expect(wide.status == 400)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/entities?type=WaterObserved&q=height>2").status == 204)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:p1").status == 200)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:p2").status == 404)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/entities?type=WaterObserved&drop=height").status == 204)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:p1").json["height"] == nil)
        }
    }

    @Test func aNullItemFailsTheWholeBatch() async throws {
        try await withMachi { client in
            let batch = #"[{"id": "urn:ngsi-ld:T:b1", "type": "T"}, null]"#
            let reply = try await client.post("/ngsi-ld/v1/entityOperations/create", batch)
            #expect(reply.status == 400)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:T:b1").status == 404)
        }
    }

    @Test func missingIdsInTheURLAreBadRequests() async throws {
        try await withMachi { client in
            let body = #"{"a": {"type": "Property", "value": 1}}"#
            let merge = try await client.send(.patch, "/ngsi-ld/v1/entities/", body: body)
            #expect(merge.status == 400)
            #expect(try await client.send(.patch, "/ngsi-ld/v1/entities//attrs/a", body: body).status == 400)
            #expect(try await client.post("/ngsi-ld/v1/entities//attrs/", body).status == 400)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/entities/urn:x:1/attrs/").status == 405)
        }
    }
}
