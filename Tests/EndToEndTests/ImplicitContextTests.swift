import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import Testing

/// `ImplicitlyCreated` @contexts (ETSI GS CIM 009, 5.13.1): a subscription whose @context is not a single URL gets
/// one, named by its `jsonldContext`.
struct ImplicitContextTests {
    /// A subscription whose @context is an inline term definition and the core @context.
    static let subscription = #"""
        {"id": "urn:ngsi-ld:Subscription:implicit", "type": "Subscription", "entities": [{"type": "Sensor"}],
         "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}},
         "@context": [{"level": "urn:example:level"}, "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]}
        """#

    /// Creates ``subscription`` and returns its `jsonldContext` and the local id of that context.
    static func subscribe(_ client: MachiClient, tenant: [String: String] = [:]) async throws -> (String, String) {
        let created = try await client.post(
            "/ngsi-ld/v1/subscriptions",
            subscription,
            contentType: "application/ld+json",
            headers: tenant
        )
        #expect(created.status == 201)
        let read = try await client.get("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:implicit", headers: tenant)
        let url = try #require(read.json["jsonldContext"]?.stringValue)
        let id = try #require(url.components(separatedBy: "/").last)
        return (url, id)
    }

    @Test func aSubscriptionWithAnInlineContextGetsAnImplicitlyCreatedOne() async throws {
        try await withMachi { client in
            let (url, id) = try await Self.subscribe(client)
            #expect(url.hasSuffix("/ngsi-ld/v1/jsonldContexts/\(id)"))

            let served = try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)")
            #expect(served.status == 200)
            #expect(served.json["@context"]?.arrayValue?.first?["level"] == "urn:example:level")

            let details = try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)?details=true").json
            #expect(details["kind"] == "ImplicitlyCreated")
            #expect(details["URL"]?.stringValue == url)
            #expect(details["localId"]?.stringValue == id)
            #expect(details["createdAt"]?.stringValue.flatMap(DateTimeText.parse) != nil)

            let implicit = try await client.get("/ngsi-ld/v1/jsonldContexts?kind=ImplicitlyCreated").json
            #expect(implicit.arrayValue?.compactMap(\.stringValue) == [url])
            let hosted = try await client.get("/ngsi-ld/v1/jsonldContexts?kind=Hosted").json
            #expect(hosted.arrayValue?.isEmpty == true)
        }
    }

    @Test func usesOfAnImplicitlyCreatedContextAreCounted() async throws {
        try await withMachi { client in
            let (url, id) = try await Self.subscribe(client)
            let link = #"<\#(url)>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json""#
            let entity = #"{"id": "urn:ngsi-ld:Sensor:1", "type": "Sensor", "level": {"type": "Property", "value": 3}}"#
            #expect(try await client.post("/ngsi-ld/v1/entities", entity, headers: ["Link": link]).status == 201)
            let read = try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:1")
            #expect(read.json["urn:example:level"] != nil)

            let first = try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)?details=true").json
            #expect(first["numberOfHits"] == 1)
            let second = try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)?details=true").json
            #expect(second["numberOfHits"] == 2)
            #expect(second["lastUsage"]?.stringValue.flatMap(DateTimeText.parse) != nil)
        }
    }

    @Test func anImplicitlyCreatedContextCanBeDeletedButNotReloaded() async throws {
        try await withMachi { client in
            let (_, id) = try await Self.subscribe(client)
            let reload = try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(id)?reload=true")
            #expect(reload.status == 400)
            #expect(reload.errorType == "BadRequestData")
            #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(id)").status == 204)
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)").status == 404)
            // The subscription stays, and keeps its own @context.
            let read = try await client.get("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:implicit")
            #expect(read.status == 200)
        }
    }

    @Test func deletingTheSubscriptionDeletesItsImplicitlyCreatedContext() async throws {
        try await withMachi { client in
            let tenant = ["NGSILD-Tenant": "matsumoto"]
            let (_, id) = try await Self.subscribe(client, tenant: tenant)
            // It belongs to the subscription's tenant.
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)").status == 404)
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)", headers: tenant).status == 200)
            let deleted = try await client.send(
                .delete,
                "/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:implicit",
                headers: tenant
            )
            #expect(deleted.status == 204)
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)", headers: tenant).status == 404)
        }
    }

    @Test(
        "a single URL, alone or with the core @context, or an explicit jsonldContext, makes none",
        arguments: [
            #""@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld""#,
            #""@context": ["https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"]"#,
            #""jsonldContext": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld", "@context": [{"a": "urn:a"}]"#,
        ]
    )
    func noImplicitContextWhenOneURLIsEnough(members: String) async throws {
        try await withMachi { client in
            let body = #"""
                {"id": "urn:ngsi-ld:Subscription:plain", "type": "Subscription", "entities": [{"type": "Sensor"}],
                 "notification": {"endpoint": {"uri": "http://127.0.0.1:9/notify"}}, \#(members)}
                """#
            let created = try await client.post("/ngsi-ld/v1/subscriptions", body, contentType: "application/ld+json")
            #expect(created.status == 201)
            let implicit = try await client.get("/ngsi-ld/v1/jsonldContexts?kind=ImplicitlyCreated").json
            #expect(implicit.arrayValue?.isEmpty == true)
        }
    }

    @Test func anImplicitlyCreatedContextSurvivesARestart() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("machi-implicit-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let onDisk: (inout AppConfiguration) -> Void = { $0.dataDirectory = directory.path }
        let ids = IDBox()
        try await withMachi(onDisk) { client in ids.set([try await Self.subscribe(client).1]) }
        let id = try #require(ids.value.first)
        try await withMachi(onDisk) { client in
            let details = try await client.get("/ngsi-ld/v1/jsonldContexts/\(id)?details=true")
            #expect(details.status == 200)
            #expect(details.json["kind"] == "ImplicitlyCreated")
        }
    }

    @Test func notificationsNameTheImplicitContextUntilItIsDeleted() async throws {
        try await NotificationReceiver.run { receiver in
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("machi-implicit-notify-\(UUID().uuidString)", isDirectory: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let configuration = AppConfiguration(
                host: "127.0.0.1",
                port: 0,
                dataDirectory: directory.path,
                contextFetchEnabled: false,
                authMode: .open
            )
            let app = try await MachiServer.buildApplication(
                configuration: configuration,
                logger: Logger(label: "test")
            )
            try await app.test(.live) { testClient in
                let client = MachiClient(client: testClient)
                let body = Self.subscription.replacingOccurrences(of: "http://127.0.0.1:9/notify", with: receiver.url)
                    .replacingOccurrences(of: #""endpoint""#, with: #""format": "keyValues", "endpoint""#)
                let created = try await client.post(
                    "/ngsi-ld/v1/subscriptions",
                    body,
                    contentType: "application/ld+json"
                )
                #expect(created.status == 201)
                let read = try await client.get("/ngsi-ld/v1/subscriptions/urn:ngsi-ld:Subscription:implicit")
                let url = try #require(read.json["jsonldContext"]?.stringValue)
                let entity = #"""
                    {"id": "urn:ngsi-ld:Sensor:n", "type": "Sensor", "level": {"type": "Property", "value": 1},
                     "@context": [{"level": "urn:example:level"}]}
                    """#
                #expect(
                    try await client.post("/ngsi-ld/v1/entities", entity, contentType: "application/ld+json").status
                        == 201
                )
                let first = try await receiver.waitFor(1)
                #expect(first.last?.headers[HTTPField.Name("Link")!]?.contains(url) == true)
                #expect(
                    first.last?.body["data"]?.arrayValue?.first?["level"] == 1,
                    "compacted with the subscription's @context"
                )

                let id = try #require(url.components(separatedBy: "/").last)
                #expect(try await client.send(.delete, "/ngsi-ld/v1/jsonldContexts/\(id)").status == 204)
                let patch = #"{"urn:example:level": {"type": "Property", "value": 2}}"#
                let patched = try await client.send(
                    .patch,
                    "/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:n/attrs",
                    body: patch
                )
                #expect(patched.status == 204)
                let second = try await receiver.waitFor(2)
                #expect(second.last?.headers[HTTPField.Name("Link")!]?.contains(url) != true)
                #expect(
                    second.last?.body["data"]?.arrayValue?.first?["level"] == 2,
                    "still compacted with its own @context"
                )
            }
        }
    }
}
