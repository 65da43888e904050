import HTTPTypes
import MachiCore
import Testing

/// Every malformed or hostile request gets a clear ProblemDetails and changes nothing.
@Suite struct HostileInputTests {
    @Test(arguments: [
        ("{not json", "InvalidRequest", 400),
        (#"{"id": "no uri", "type": "X"}"#, "BadRequestData", 400),
        (#"{"id": 42, "type": "X"}"#, "BadRequestData", 400),
        (#"{"id": "urn:a:b"}"#, "BadRequestData", 400),
        (#"{"id": "urn:a:b", "type": "X", "p": {"type": "Property"}}"#, "BadRequestData", 400),
        (
            #"{"id": "urn:a:b", "type": "X", "r": {"type": "Relationship", "object": "not a uri"}}"#, "BadRequestData",
            400
        ),
        (
            #"{"id": "urn:a:b", "type": "X", "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [500, 0]}}}"#,
            "BadRequestData", 400
        ),
        (
            #"{"id": "urn:a:b", "type": "X", "p": {"type": "Property", "value": 1, "observedAt": "yesterday"}}"#,
            "BadRequestData", 400
        ),
        (#"{"id": "urn:a:b", "type": "X", "bad<name": 1}"#, "BadRequestData", 400),
        ("[1,2,3]", "BadRequestData", 400),
        ("", "InvalidRequest", 400),
    ])
    func malformedEntitiesAreRejected(body: String, errorType: String, status: Int) async throws {
        try await withMachi { client in
            let reply = try await client.post("/ngsi-ld/v1/entities", body)
            #expect(reply.status == status)
            #expect(reply.errorType == errorType)
            #expect(reply.json["title"]?.stringValue?.isEmpty == false)
            #expect(try await client.get("/ngsi-ld/v1/entities?type=X").json.arrayValue?.isEmpty ?? true)
        }
    }

    @Test func deepNestingIsRejected() async throws {
        try await withMachi { client in
            let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
            let body = #"{"id": "urn:a:deep", "type": "X", "p": {"type": "Property", "value": \#(deep)}}"#
            let reply = try await client.post("/ngsi-ld/v1/entities", body)
            #expect(reply.status == 400)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:a:deep").status == 404)
        }
    }

    @Test func oversizedBodiesAreRejected() async throws {
        try await withMachi { client in
            let big = String(repeating: "x", count: 10 * 1024 * 1024)
            let reply = try await client.post(
                "/ngsi-ld/v1/entities",
                #"{"id": "urn:a:big", "type": "X", "p": "\#(big)"}"#
            )
            #expect(reply.status == 413)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:a:big").status == 404)
        }
    }

    @Test func wrongContentTypeIsUnsupported() async throws {
        try await withMachi { client in
            let reply = try await client.post(
                "/ngsi-ld/v1/entities",
                waterObserved("urn:a:ct", height: 1),
                contentType: "text/plain"
            )
            #expect(reply.status == 415)
        }
    }

    @Test func contextInAJSONBodyIsRejected() async throws {
        try await withMachi { client in
            let reply = try await client.post(
                "/ngsi-ld/v1/entities",
                #"{"id": "urn:a:c", "type": "X", "@context": {}}"#
            )
            #expect(reply.status == 400)
            #expect(reply.errorType == "BadRequestData")
        }
    }

    /// `Link` headers as clients send them: case, spacing and quoting vary; broken ones are BadRequestData.
    @Test(arguments: [
        (
            #"<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json""#,
            200
        ),
        (
            #"<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld>;REL=http://www.w3.org/ns/json-ld#context"#,
            200
        ),
        (
            #"  <https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld> ;  rel="http://www.w3.org/ns/json-ld#context" "#,
            200
        ),
        (
            #"<https://example.org/other>; rel="next", <https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld>; rel="http://www.w3.org/ns/json-ld#context""#,
            200
        ),
        (
            #"https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld; rel="http://www.w3.org/ns/json-ld#context""#,
            400
        ),
        (#"<>; rel="http://www.w3.org/ns/json-ld#context""#, 400),
        (#"<not a url>; rel="http://www.w3.org/ns/json-ld#context""#, 400),
        (
            #"<https://a.example/1>; rel="http://www.w3.org/ns/json-ld#context", <https://a.example/2>; rel="http://www.w3.org/ns/json-ld#context""#,
            400
        ),
    ])
    func linkHeaders(_ link: String, _ status: Int) async throws {
        try await withMachi { client in
            _ = try await client.post(
                "/ngsi-ld/v1/entities",
                waterObserved("urn:ngsi-ld:WaterObserved:link", height: 1)
            )
            let reply = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:WaterObserved:link",
                headers: ["Link": link]
            )
            #expect(reply.status == status, "\(link)")
            if status == 400 { #expect(reply.errorType == "BadRequestData") }
        }
    }

    @Test func unknownRemoteContextIsUnavailable() async throws {
        try await withMachi { client in
            let link =
                #"<http://contexts.invalid/nothing.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json""#
            let reply = try await client.post(
                "/ngsi-ld/v1/entities",
                waterObserved("urn:a:ctx", height: 1),
                headers: ["Link": link]
            )
            #expect(reply.status == 504)
            #expect(reply.errorType == "LdContextNotAvailable")
        }
    }

    @Test(arguments: [
        "q=" + String(repeating: "a==1;", count: 2000),
        "q=height%3E%3E3",
        "q=(height==1",
        "georel=near;maxDistance==1000&geometry=Point",
        "georel=within&geometry=Polygon&coordinates=%5B1,2%5D",
        "limit=-1",
        "idPattern=(unclosed",
        "id=not%20a%20uri",
    ])
    func malformedQueriesAreRejected(parameters: String) async throws {
        try await withMachi { client in
            let reply = try await client.get("/ngsi-ld/v1/entities?type=X&\(parameters)")
            #expect((400..<500).contains(reply.status))
            #expect(reply.errorType != nil)
        }
    }

    @Test func unknownPathsAnswerProblemDetails() async throws {
        try await withMachi { client in
            let reply = try await client.get("/ngsi-ld/v1/nothing-here")
            #expect(reply.status == 404)
            #expect(reply.errorType == "ResourceNotFound")
        }
    }
}

@Suite struct NotImplementedTests {
    @Test(arguments: ["/ngsi-ld/v1/csourceRegistrations", "/ngsi-ld/v1/csourceSubscriptions", "/ngsi-ld/v1/entityMaps"])
    func unimplementedFamiliesAnswerOperationNotSupported(path: String) async throws {
        try await withMachi { client in
            let reply = try await client.get(path)
            #expect(reply.status == 501)
            #expect(reply.errorType == "OperationNotSupported")
        }
    }
}
