import Configuration
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiBroker
import MachiCore
import MachiIdentity
import MachiSQLite
import Testing

/// `consent.personal.types`, read the way `machi serve` reads it, hides the tenant's entities of those types from
/// anonymous readers of a public tenant, counts included.
@Suite struct PersonalTypeHTTPTests {
    static func reader(_ values: [AbsoluteConfigKey: String]) -> ConfigReader {
        ConfigReader(providers: [
            InMemoryProvider(name: "test", values: values.mapValues { .init(.string($0), isSecret: false) })
        ])
    }

    @Test func theKeyIsReadAndABadValueStopsTheServer() async throws {
        let good = AppConfiguration(
            reader: Self.reader(["consent.personal.types": "default=ChildPosition,okaya=CareRecord"])
        )
        #expect(good.personalTypes.types(in: "") == ["https://uri.etsi.org/ngsi-ld/default-context/ChildPosition"])
        #expect(good.personalTypes.types(in: "okaya") == ["https://uri.etsi.org/ngsi-ld/default-context/CareRecord"])
        #expect(good.personalTypesError == nil)
        let bad = AppConfiguration(
            reader: Self.reader(["consent.personal.types": "ChildPosition", "store.sqlite.path": ":memory:"])
        )
        #expect(bad.personalTypesError != nil)
        await #expect(throws: PersonalTypesError.self) {
            _ = try await MachiServer.buildApplication(configuration: bad, logger: Logger(label: "test"))
        }
    }

    @Test func anonymousReadersNeitherSeeNorCountEntitiesOfAPersonalType() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("machi-pt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = AppConfiguration(
            reader: Self.reader([
                "store.sqlite.path": directory.path, "http.port": "0", "auth.public.read": "default",
                "consent.personal.types": "default=ChildPosition", "contexts.fetch.enabled": "false",
                "identity.password.cost": "10",
            ])
        )
        let identity = try await IdentityServices.open(configuration: configuration)
        _ = try await identity.directory.addClient(
            clientId: "hospital",
            confidential: true,
            scopes: [Scope.read, Scope.write],
            grantTypes: ["client_credentials"],
            roles: ["": ["operator"]]
        )
        let token = try await identity.oauth.issueDirectly(clientId: "hospital", username: nil, scope: nil).accessToken
        try identity.store.close()
        let app = try await MachiServer.buildApplication(configuration: configuration, logger: Logger(label: "test"))
        try await app.test(.router) { test in
            let client = MachiClient(client: test)
            for body in [
                #"{"id": "urn:ngsi-ld:ChildPosition:1", "type": "ChildPosition", "latitude": {"type": "Property", "value": 36.1}}"#,
                #"{"id": "urn:ngsi-ld:ChildPosition:2", "type": "ChildPosition", "dataOwner": {"type": "Relationship", "object": "urn:machi:person:00000000-0000-0000-0000-000000000001"}}"#,
                #"{"id": "urn:ngsi-ld:Statistic:1", "type": "Statistic", "count": {"type": "Property", "value": 2}}"#,
            ] {
                #expect(
                    try await client.post("/ngsi-ld/v1/entities", body, headers: ["Authorization": "Bearer \(token)"])
                        .status == 201
                )
            }
            let hidden = try await client.get("/ngsi-ld/v1/entities?type=ChildPosition&count=true")
            #expect(hidden.status == 200)
            #expect(hidden.json.arrayValue?.isEmpty == true)
            #expect(hidden.headers[HTTPField.Name("NGSILD-Results-Count")!] == "0")
            #expect(try await client.get("/ngsi-ld/v1/entities/urn:ngsi-ld:ChildPosition:1").status == 404)
            let open = try await client.get("/ngsi-ld/v1/entities?type=Statistic&count=true")
            #expect(open.headers[HTTPField.Name("NGSILD-Results-Count")!] == "1")
            // The operator's token has no personal:read: it does not see the unowned one either.
            let staff = try await client.get(
                "/ngsi-ld/v1/entities?type=ChildPosition&count=true",
                headers: ["Authorization": "Bearer \(token)"]
            )
            #expect(staff.headers[HTTPField.Name("NGSILD-Results-Count")!] == "0")
        }
    }
}
