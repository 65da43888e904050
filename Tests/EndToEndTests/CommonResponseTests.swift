import HTTPTypes
import MachiApp
import MachiCore
import Testing

/// Behaviour every NGSI-LD operation shares (ETSI GS CIM 009, 6.3): content negotiation, preconditions, error
/// shapes, tenant echo, the Context Source identity.
struct CommonResponseTests {
    static let entity = waterObserved("urn:ngsi-ld:W:c", height: 1)

    @Test(
        "Accept negotiation follows 6.3.4 order and RFC 9110 weights",
        arguments: [
            ("application/ld+json, application/json", "application/json"),
            ("application/geo+json, application/json", "application/json"),
            ("application/json;q=0.1, application/ld+json;q=0.9", "application/ld+json"),
            ("application/json;q=0, */*", "application/ld+json"),
            ("*/*;q=0.9, application/ld+json;q=0.8", "application/json"),
            ("application/ld+json;q=notanumber", "application/ld+json"),
            ("application/*", "application/json"),
            ("", "application/json"),
        ]
    )
    func acceptNegotiation(accept: String, expected: String) async throws {
        try await withMachi { client in
            #expect(try await client.post("/ngsi-ld/v1/entities", Self.entity).status == 201)
            let reply = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:c", headers: ["Accept": accept])
            #expect(reply.status == 200)
            #expect(reply.header("Content-Type") == expected)
        }
    }

    @Test func unacceptableTypesAre406() async throws {
        try await withMachi { client in
            let reply = try await client.get(
                "/ngsi-ld/v1/entities?type=WaterObserved",
                headers: ["Accept": "application/json;q=0, application/ld+json;q=0, application/geo+json;q=0"]
            )
            #expect(reply.status == 406)
            #expect(try await client.get("/ngsi-ld/v1/types", headers: ["Accept": "text/html"]).status == 406)
        }
    }

    @Test func geoJSONEmbedsTheContextUnlessLinkedIsPreferred() async throws {
        try await withMachi { client in
            #expect(try await client.post("/ngsi-ld/v1/entities", Self.entity).status == 201)
            let embedded = try await client.get(
                "/ngsi-ld/v1/entities?type=WaterObserved",
                headers: ["Accept": "application/geo+json"]
            )
            #expect(embedded.json["@context"] != nil)
            #expect(embedded.header("Link") == nil)
            let linked = try await client.get(
                "/ngsi-ld/v1/entities?type=WaterObserved",
                headers: ["Accept": "application/geo+json", "Prefer": "body=json"]
            )
            #expect(linked.header("Link") != nil)
            #expect(linked.json["@context"] == nil)
        }
    }

    @Test func bodiesWithoutContentLengthAre411() async throws {
        try await withMachi { client in
            // The test client sets Content-Length only when there is a body.
            let reply = try await client.send(.post, "/ngsi-ld/v1/entities", headers: ["NGSILD-Tenant": "nowhere"])
            #expect(reply.status == 411)
            #expect(reply.body.isEmpty)
            #expect(try await client.send(.get, "/ngsi-ld/v1/entities?type=W").status == 200)
        }
    }

    @Test func unsupportedBodyTypesAre415() async throws {
        try await withMachi { client in
            let reply = try await client.post("/ngsi-ld/v1/entities", "<entity/>", contentType: "application/xml")
            #expect(reply.status == 415)
        }
    }

    @Test func mergePatchIsAcceptedForPatch() async throws {
        try await withMachi { client in
            #expect(try await client.post("/ngsi-ld/v1/entities", Self.entity).status == 201)
            let reply = try await client.send(
                .patch,
                "/ngsi-ld/v1/entities/urn:ngsi-ld:W:c/attrs/height",
                body: #"{"value": 2}"#,
                contentType: "application/merge-patch+json"
            )
            #expect(reply.status == 204)
            let post = try await client.post(
                "/ngsi-ld/v1/entities",
                Self.entity,
                contentType: "application/merge-patch+json"
            )
            #expect(post.status == 415)
        }
    }

    @Test func unknownQueryParametersAreInvalidRequests() async throws {
        try await withMachi { client in
            let query = try await client.get("/ngsi-ld/v1/entities?type=W&invalidParams=x")
            #expect(query.status == 400)
            #expect(query.errorType == "InvalidRequest")
            let create = try await client.post("/ngsi-ld/v1/entities?invalidParams=x", Self.entity)
            #expect(create.status == 400)
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:W:c").status == 404)
        }
    }

    @Test func errorsEchoTheTenant() async throws {
        try await withMachi { client in
            let reply = try await client.get(
                "/ngsi-ld/v1/entities?type=W",
                headers: ["NGSILD-Tenant": "nowhere"]
            )
            #expect(reply.status == 404)
            #expect(reply.errorType == "NonexistentTenant")
            #expect(reply.header("NGSILD-Tenant") == "nowhere")
        }
    }

    @Test func sourceIdentityNamesTheBrokerAndTheTenant() async throws {
        let configure: (inout AppConfiguration) -> Void = { $0.sourceAlias = "urn:ngsi-ld:ContextSource:test" }
        try await withMachi(configure) { client in
            let identity = try await client.get("/ngsi-ld/v1/info/sourceIdentity")
            #expect(identity.status == 200)
            #expect(identity.json["type"]?.stringValue == "ContextSourceIdentity")
            #expect(identity.json["id"]?.stringValue?.hasPrefix("urn:") == true)
            #expect(identity.json["contextSourceAlias"]?.stringValue == "urn:ngsi-ld:ContextSource:test")
            let uptime = identity.json["contextSourceUptime"]?.stringValue ?? ""
            #expect(uptime.wholeMatch(of: /P(\d+D)?T(\d+H)?(\d+M)?\d+\.\d{3}S/) != nil, "\(uptime)")
            let timeAt = identity.json["contextSourceTimeAt"]?.stringValue ?? ""
            #expect(timeAt.hasSuffix("Z") && DateTimeText.parse(timeAt) != nil)
            let tenant = try await client.get("/ngsi-ld/v1/info/sourceIdentity", headers: ["NGSILD-Tenant": "a/b"])
            #expect(tenant.json["contextSourceAlias"]?.stringValue == "urn:ngsi-ld:ContextSource:test:a%2Fb")
        }
    }
}
