import Foundation
import HTTPTypes
import MachiApp
import MachiCore
import Testing

/// `/jsonldContexts` (ETSI GS CIM 009, 5.13): hosting, listing, serving, deleting; tenants; restarts.
struct ContextHostingTests {
    static let document = #"{"@context": {"height2": "urn:example:height2"}}"#

    /// Hosts `document` and returns its local id.
    static func host(
        _ client: MachiClient,
        _ document: String = document,
        tenant: String? = nil
    ) async throws
        -> String
    {
        let reply = try await client.post(
            "/ngsi-ld/v1/jsonldContexts",
            document,
            headers: tenant.map { ["NGSILD-Tenant": $0] } ?? [:]
        )
        #expect(reply.status == 201)
        let location = try #require(reply.header("Location"))
        return String(location.dropFirst("/ngsi-ld/v1/jsonldContexts/".count))
    }

    @Test func hostListServeAndDelete() async throws {
        try await withMachi { client in
            let id = try await Self.host(client)
            let served = try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)")
            #expect(served.status == 200)
            #expect(served.json["@context"]?["height2"]?.stringValue == "urn:example:height2")

            let details = try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)?details=true").json
            #expect(details["kind"]?.stringValue == "Hosted")
            #expect(details["localId"]?.stringValue == id)
            #expect(details["createdAt"]?.stringValue.flatMap(DateTimeText.parse) != nil)
            #expect(details["numberOfHits"] == nil)

            let hosted = try await client.get("/ngsi-ld/v1/jsonldContexts?kind=Hosted").json.arrayValue ?? []
            #expect(hosted.compactMap(\.stringValue).contains { $0.hasSuffix("/jsonldContexts/\(id)") })
            let cached = try await client.get("/ngsi-ld/v1/jsonldContexts?kind=Cached&details=true").json
            #expect(cached.arrayValue?.allSatisfy { $0["kind"]?.stringValue == "Cached" } == true)
            #expect(
                cached.arrayValue?.contains { $0["URL"]?.stringValue == NGSILDCoreContext.v1_6.url } == true,
                "the built-in core @contexts are listed as cached"
            )

            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(id)?reload=true").status == 400)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(id)").status == 204)
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)").status == 404)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(id)").status == 404)
        }
    }

    @Test(
        "invalid documents are rejected and nothing is stored",
        arguments: [
            (#"{"A1": "urn:a"}"#, "InvalidRequest"),
            (#"{"@context": 42}"#, "BadRequestData"),
            (#"{"@context": ["https://example.org/ctx.jsonld", 7]}"#, "BadRequestData"),
            (#"{"@context": {"bad": 5}}"#, "BadRequestData"),
        ]
    )
    func rejectsInvalidDocuments(document: String, errorType: String) async throws {
        try await withMachi { client in
            let reply = try await client.post("/ngsi-ld/v1/jsonldContexts", document)
            #expect(reply.status == 400)
            #expect(reply.errorType == errorType)
            #expect(reply.header("Location") == nil)
            let hosted = try await client.get("/ngsi-ld/v1/jsonldContexts?kind=Hosted").json
            #expect(hosted.arrayValue?.isEmpty == true)
        }
    }

    @Test func hostedContextsBelongToTheirTenant() async throws {
        try await withMachi { client in
            let id = try await Self.host(client, tenant: "matsumoto")
            let path = "/ngsi-ld/v1/jsonldContexts/\(id)"
            #expect(try await client.get(path, headers: ["NGSILD-Tenant": "azumino"]).status == 404)
            #expect(try await client.get(path).status == 404)
            let listed = try await client.get("/ngsi-ld/v1/jsonldContexts", headers: ["NGSILD-Tenant": "azumino"])
            #expect(listed.status == 200)
            #expect(!listed.body.contains(id))
            #expect(try await client.send(.delete, path, headers: ["NGSILD-Tenant": "azumino"]).status == 404)
            #expect(try await client.get(path, headers: ["NGSILD-Tenant": "matsumoto"]).status == 200)
            #expect(try await client.send(.delete, path, headers: ["NGSILD-Tenant": "matsumoto"]).status == 204)
        }
    }

    @Test func aHostedContextExpandsTermsOfItsTenantOnly() async throws {
        try await withMachi { client in
            let id = try await Self.host(client, tenant: "matsumoto")
            let details = try await client.get(
                "/ngsi-ld/v1/jsonldContexts/\(id)?details=true",
                headers: ["NGSILD-Tenant": "matsumoto"]
            )
            let url = try #require(details.json["URL"]?.stringValue)
            let link = #"<\#(url)>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json""#
            let entity = #"{"id": "urn:ngsi-ld:W:h", "type": "W", "height2": {"type": "Property", "value": 2}}"#
            let created = try await client.post(
                "/ngsi-ld/v1/entities",
                entity,
                headers: ["Link": link, "NGSILD-Tenant": "matsumoto"]
            )
            #expect(created.status == 201)
            let read = try await client.get(
                "/ngsi-ld/v1/entities/urn:ngsi-ld:W:h",
                headers: ["NGSILD-Tenant": "matsumoto"]
            )
            #expect(read.json["urn:example:height2"] != nil)

            let elsewhere = try await client.post(
                "/ngsi-ld/v1/entities",
                entity,
                headers: ["Link": link, "NGSILD-Tenant": "azumino"]
            )
            #expect(elsewhere.status == 504)
            #expect(elsewhere.errorType == "LdContextNotAvailable")
        }
    }

    @Test func hostedContextsSurviveARestart() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("machi-context-restart-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ids = IDBox()
        let onDisk: (inout AppConfiguration) -> Void = { $0.dataDirectory = directory.path }
        try await withMachi(onDisk) { client in
            ids.set(
                [
                    try await Self.host(client),
                    try await Self.host(client, tenant: "matsumoto"),
                ]
            )
        }
        let (defaultId, tenantId) = (ids.value[0], ids.value[1])
        try await withMachi(onDisk) { client in
            let served = try await client.get("/ngsi-ld/v1/jsonldContexts/\(defaultId)")
            #expect(served.status == 200)
            #expect(served.json["@context"]?["height2"] != nil)
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(tenantId)").status == 404)
            let inTenant = try await client.get(
                "/ngsi-ld/v1/jsonldContexts/\(tenantId)",
                headers: ["NGSILD-Tenant": "matsumoto"]
            )
            #expect(inTenant.status == 200)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(defaultId)").status == 204)
        }
        try await withMachi(onDisk) { client in
            let reply = try await client.get("/ngsi-ld/v1/jsonldContexts/\(defaultId)")
            #expect(reply.status == 404)
        }
    }

    @Test func theCoreContextIsServedAndCannotBeDeleted() async throws {
        try await withMachi { client in
            let url = NGSILDCoreContext.v1_6.url
            let encoded = try #require(url.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let details = try await client.get("/ngsi-ld/v1/jsonldContexts/\(encoded)?details=true")
            #expect(details.status == 200)
            #expect(details.json["kind"]?.stringValue == "Cached")
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(encoded)").json["@context"] != nil)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(encoded)").status == 400)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(encoded)?reload=true").status == 204)
            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/nothing?reload=true").status == 400)
        }
    }
}

/// Carries values out of a `@Sendable` test body.
final class IDBox: @unchecked Sendable {
    // Written once inside one `withMachi` body and read after it returned: never concurrently.
    private(set) var value: [String] = []
    func set(_ value: [String]) { self.value = value }
}
