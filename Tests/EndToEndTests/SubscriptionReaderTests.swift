import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MachiApp
import MachiCore
import MachiHTTP
import MachiIdentity
import MachiSQLite
import MachiStore
import Testing

/// A subscription delivers as its creator is *now*: roles taken away narrow the very next deliveries, and a
/// disabled user's subscriptions deliver nothing (docs/consent.md, "Subscriptions").
@Suite struct SubscriptionReaderTests {
    static let handbook = "urn:ngsi-ld:MaternalHandbookRecord:m1"
    static let statistic = "urn:ngsi-ld:Statistic:births"

    @Test func aStaffReaderWhoseRoleIsRemovedStopsReceivingPersonalData() async throws {
        try await NotificationReceiver.run { nurseEndpoint in
            try await NotificationReceiver.run { clerkEndpoint in
                try await withStaff { client, tokens in
                    let hospital = ["Authorization": "Bearer \(tokens.hospital)"]
                    for (token, endpoint) in [(tokens.nurse, nurseEndpoint), (tokens.clerk, clerkEndpoint)] {
                        let created = try await client.post(
                            "/ngsi-ld/v1/subscriptions",
                            """
                            {"type": "Subscription", "entities": [{"type": "MaternalHandbookRecord"}, {"type": "Statistic"}],
                             "notification": {"format": "keyValues", "endpoint": {"uri": "\(endpoint.url)"}}}
                            """,
                            headers: ["Authorization": "Bearer \(token)"]
                        )
                        #expect(created.status == 201)
                    }
                    func write(_ weight: Double) async throws {
                        for body in [
                            #"{"id": "\#(Self.handbook)", "type": "MaternalHandbookRecord", "dataOwner": {"type": "Relationship", "object": "urn:machi:person:00000000-0000-0000-0000-00000000000a"}, "birthWeight": {"type": "Property", "value": \#(weight)}}"#,
                            #"{"id": "\#(Self.statistic)", "type": "Statistic", "births": {"type": "Property", "value": \#(weight)}}"#,
                        ] {
                            let reply = try await client.post(
                                "/ngsi-ld/v1/entityOperations/upsert",
                                "[\(body)]",
                                headers: hospital
                            )
                            #expect(reply.status == 201 || reply.status == 204)
                        }
                    }
                    func ids(_ endpoint: NotificationReceiver) -> [String] {
                        endpoint.entities.compactMap { $0["id"]?.stringValue }
                    }

                    // Both are staff with personal:read: both hear of the personal record.
                    try await write(3.1)
                    _ = try await nurseEndpoint.waitForEntities(2)
                    _ = try await clerkEndpoint.waitForEntities(2)
                    #expect(Set(ids(nurseEndpoint)) == [Self.handbook, Self.statistic])
                    #expect(Set(ids(clerkEndpoint)) == [Self.handbook, Self.statistic])

                    // The nurse loses the operator role (she stays a developer); the clerk is disabled.
                    let admin = ["Authorization": "Bearer \(tokens.admin)"]
                    let demoted = try await client.send(
                        .patch,
                        "/api/v1/admin/users/nurse",
                        body: #"{"roles": ["developer"]}"#,
                        headers: admin
                    )
                    #expect(demoted.status == 200)
                    let disabled = try await client.send(
                        .patch,
                        "/api/v1/admin/users/clerk",
                        body: #"{"disabled": true}"#,
                        headers: admin
                    )
                    #expect(disabled.status == 200)

                    try await write(3.2)
                    _ = try await nurseEndpoint.waitForEntities(3)
                    // The statistic was written after the record, to the same endpoint: once it arrived, the
                    // record's notification was handled (dropped). A little more time for anything late.
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(ids(nurseEndpoint).count == 3)
                    #expect(ids(nurseEndpoint).last == Self.statistic)
                    #expect(ids(clerkEndpoint).count == 2)
                }
            }
        }
    }

    struct Tokens: Sendable {
        var hospital: String
        var nurse: String
        var clerk: String
        var admin: String
    }

    /// A live server in `required` mode with two members of staff who may read personal data (`nurse`, who is
    /// also a developer, and `clerk`), an admin and the hospital's writing client.
    func withStaff(_ body: @Sendable (MachiClient, Tokens) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("machi-sr-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = AppConfiguration(
            host: "127.0.0.1",
            port: 0,
            dataDirectory: directory.path,
            contextFetchEnabled: false,
            authMode: .required,
            identity: IdentityConfiguration(issuer: "http://localhost:0", passwordCost: 10)
        )
        let identity = try await IdentityServices.open(configuration: configuration)
        let people: [(String, Set<String>)] = [
            ("nurse", ["operator", "developer"]), ("clerk", ["operator"]), ("alice", ["admin"]),
        ]
        for (name, roles) in people {
            _ = try await identity.directory.addUser(username: name, password: nil, roles: ["": roles])
        }
        _ = try await identity.directory.addClient(
            clientId: "hospital",
            confidential: true,
            scopes: [Scope.read, Scope.write],
            grantTypes: ["client_credentials"],
            roles: ["": ["operator"]]
        )
        _ = try await identity.directory.addClient(
            clientId: "staff-portal",
            confidential: false,
            redirectURIs: ["https://staff.example/cb"],
            scopes: [Scope.read, Scope.personalRead, Scope.admin],
            grantTypes: ["authorization_code"]
        )
        func token(_ client: String, _ user: String?) async throws -> String {
            try await identity.oauth.issueDirectly(clientId: client, username: user, scope: nil).accessToken
        }
        let tokens = Tokens(
            hospital: try await token("hospital", nil),
            nurse: try await token("staff-portal", "nurse"),
            clerk: try await token("staff-portal", "clerk"),
            admin: try await token("staff-portal", "alice")
        )
        try identity.store.close()
        let app = try await MachiServer.buildApplication(configuration: configuration, logger: Logger(label: "test"))
        try await app.test(.live) { client in try await body(MachiClient(client: client), tokens) }
    }
}
