import HTTPTypes
import MachiCore
import Testing

/// One tenant never sees nor changes another's data, through any route: everything is created in `matsumoto`,
/// then every route is called from `azumino` (a tenant that exists), and `matsumoto` is checked unchanged.
@Suite struct TenantIsolationTests {
    static let owner = ["NGSILD-Tenant": "matsumoto"]
    static let other = ["NGSILD-Tenant": "azumino"]
    static let entity = "urn:ngsi-ld:WaterObserved:iso-1"
    static let subscription = "urn:ngsi-ld:Subscription:iso-1"
    static let iotOwner = ["Fiware-Service": "matsumoto", "Fiware-ServicePath": "/rivers"]
    static let iotOther = ["Fiware-Service": "azumino", "Fiware-ServicePath": "/rivers"]

    /// A call from the other tenant and what it must answer: a status, and text the body must not contain.
    struct Probe: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var headers: [String: String]
        var status: Int
        var testDescription: String { "\(method) \(path)" }
    }

    static let probes: [Probe] = [
        Probe(method: .get, path: "/ngsi-ld/v1/entities/\(entity)", headers: other, status: 404),
        Probe(method: .get, path: "/ngsi-ld/v1/entities?type=WaterObserved", headers: other, status: 200),
        Probe(method: .get, path: "/ngsi-ld/v1/entities?q=height==1.5", headers: other, status: 200),
        Probe(method: .get, path: "/ngsi-ld/v1/types", headers: other, status: 200),
        Probe(method: .get, path: "/ngsi-ld/v1/attributes", headers: other, status: 200),
        Probe(
            method: .post,
            path: "/ngsi-ld/v1/entityOperations/query",
            body: #"{"type": "Query", "entities": [{"type": "WaterObserved"}]}"#,
            headers: other,
            status: 200
        ),
        Probe(method: .get, path: "/ngsi-ld/v1/temporal/entities/\(entity)", headers: other, status: 404),
        Probe(method: .get, path: "/ngsi-ld/v1/temporal/entities?type=WaterObserved", headers: other, status: 200),
        Probe(method: .get, path: "/ngsi-ld/v1/subscriptions/\(subscription)", headers: other, status: 404),
        Probe(method: .get, path: "/ngsi-ld/v1/subscriptions", headers: other, status: 200),
        Probe(method: .get, path: "/ngsi-ld/v1/jsonldContexts?kind=Hosted", headers: other, status: 200),
        Probe(method: .get, path: "/iot/devices/iso-dev", headers: iotOther, status: 404),
        Probe(method: .get, path: "/iot/devices", headers: iotOther, status: 200),
        Probe(method: .get, path: "/iot/services", headers: iotOther, status: 200),
        Probe(method: .get, path: "/api/v1/me/consents", headers: other, status: 200),
        // Writes aimed at the other tenant's resources find nothing there.
        Probe(
            method: .patch,
            path: "/ngsi-ld/v1/entities/\(entity)/attrs",
            body: #"{"height": {"type": "Property", "value": 99}}"#,
            headers: other,
            status: 404
        ),
        Probe(method: .delete, path: "/ngsi-ld/v1/entities/\(entity)", headers: other, status: 404),
        Probe(method: .delete, path: "/ngsi-ld/v1/entities/\(entity)/attrs/height", headers: other, status: 404),
        Probe(method: .delete, path: "/ngsi-ld/v1/temporal/entities/\(entity)", headers: other, status: 404),
        Probe(method: .delete, path: "/ngsi-ld/v1/subscriptions/\(subscription)", headers: other, status: 404),
        Probe(
            method: .patch,
            path: "/ngsi-ld/v1/subscriptions/\(subscription)",
            body: #"{"isActive": false}"#,
            headers: other,
            status: 404
        ),
        Probe(method: .delete, path: "/iot/devices/iso-dev", headers: iotOther, status: 404),
    ]

    /// Everything a tenant can hold, in `matsumoto`; and one entity in `azumino`, so that it exists.
    static func populate(_ client: MachiClient) async throws -> String {
        #expect(
            try await client.post("/ngsi-ld/v1/entities", waterObserved(entity, height: 1.5), headers: owner).status
                == 201
        )
        #expect(
            try await client.post(
                "/ngsi-ld/v1/entities",
                waterObserved("urn:ngsi-ld:Other:1", height: 7),
                headers: other
            )
            .status == 201
        )
        let subscriptionBody = """
            {"id": "\(subscription)", "type": "Subscription", "entities": [{"type": "WaterObserved"}],
             "notification": {"endpoint": {"uri": "http://127.0.0.1:9/matsumoto-secret-endpoint"}}}
            """
        #expect(try await client.post("/ngsi-ld/v1/subscriptions", subscriptionBody, headers: owner).status == 201)
        let hosted = try await client.post(
            "/ngsi-ld/v1/jsonldContexts",
            #"{"@context": {"matsumotoSecretTerm": "https://matsumoto.example/secret"}}"#,
            headers: owner
        )
        #expect(hosted.status == 201)
        let group = """
            {"services": [{"apikey": "matsumoto-secret-key", "resource": "/iot/d", "entity_type": "WaterObserved"}]}
            """
        #expect(try await client.post("/iot/services", group, headers: iotOwner).status == 201)
        let device = #"{"devices": [{"device_id": "iso-dev", "entity_name": "urn:ngsi-ld:WaterObserved:iso-dev"}]}"#
        #expect(try await client.post("/iot/devices", device, headers: iotOwner).status == 201)
        return String(try #require(hosted.header("Location")).split(separator: "/").last ?? "")
    }

    /// Text of `matsumoto` that no answer to `azumino` may contain.
    static let secrets = [
        "iso-1", "matsumoto-secret-endpoint", "matsumotoSecretTerm", "matsumoto-secret-key", "iso-dev", "1.5",
    ]

    @Test func noRouteCrossesTenants() async throws {
        try await withMachi { client in
            let hostedId = try await Self.populate(client)
            var probes = Self.probes
            probes.append(
                Probe(method: .get, path: "/ngsi-ld/v1/jsonldContexts/\(hostedId)", headers: Self.other, status: 404)
            )
            probes.append(
                Probe(method: .delete, path: "/ngsi-ld/v1/jsonldContexts/\(hostedId)", headers: Self.other, status: 404)
            )
            for probe in probes {
                let reply = try await client.send(probe.method, probe.path, body: probe.body, headers: probe.headers)
                #expect(reply.status == probe.status, "\(probe.method) \(probe.path): \(reply.body)")
                for secret in Self.secrets where !probe.path.contains(secret) {  // an error may echo the caller's id
                    #expect(
                        !reply.body.contains(secret),
                        "\(probe.method) \(probe.path) shows \(secret): \(reply.body)"
                    )
                }
            }
            // Nothing of matsumoto changed.
            let kept = try await client.get("/ngsi-ld/v1/entities/\(Self.entity)", headers: Self.owner)
            #expect(kept.status == 200 && kept.json["height"]?["value"] == .number(1.5))
            let subscription = try await client.get(
                "/ngsi-ld/v1/subscriptions/\(Self.subscription)",
                headers: Self.owner
            )
            #expect(subscription.json["status"] == "active", "\(subscription.body)")
            #expect(try await client.get("/iot/devices/iso-dev", headers: Self.iotOwner).status == 200)
            #expect(try await client.get("/ngsi-ld/v1/jsonldContexts/\(hostedId)", headers: Self.owner).status == 200)
        }
    }
}
