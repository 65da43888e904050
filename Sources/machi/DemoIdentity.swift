import Foundation
import MachiApp
import MachiCore
import MachiIdentity
import MachiStore

/// The demo's people and app: made once in the demo's data directory, printed at start with a fresh token.
enum DemoIdentity {
    static let admin = (username: "demo-admin", password: "machi-demo-admin")
    static let resident = (username: "hanako", password: "machi-demo-resident")
    static let client = "demo-app"
    /// The simulator's own client: it provisions the city's devices and static entities.
    static let simulatorClient = "city-simulator"
    static let redirectURI = "http://localhost:8000/callback"

    /// A fresh token of the simulator's client (15 minutes: the simulator provisions at start).
    static func simulatorToken(_ identity: IdentityServices) async throws -> String {
        try await identity.oauth.issueDirectly(clientId: simulatorClient, username: nil, scope: nil).accessToken
    }

    /// Creates what is missing and returns the banner lines (credentials and an admin token).
    static func seed(_ identity: IdentityServices, port: Int, data: String) async throws -> String {
        // Recorded in the identity audit chain as made by `machi demo`.
        let directory = identity.directory.administered(
            by: .init(AuditContext(principal: .system("demo"), requestId: nil), tenant: "")
        )
        if try await directory.store.user(username: admin.username) == nil {
            _ = try await directory.addUser(username: admin.username, password: admin.password, roles: ["": ["admin"]])
        }
        if try await directory.store.user(username: resident.username) == nil {
            _ = try await directory.addUser(
                username: resident.username,
                displayName: "Hanako Shiojiri",
                password: resident.password,
                roles: ["": ["resident"]]
            )
        }
        if try await directory.store.client(id: client) == nil {
            _ = try await directory.addClient(
                clientId: client,
                name: "Machi demo app",
                confidential: false,
                redirectURIs: [redirectURI],
                scopes: [
                    Scope.read, Scope.write, Scope.iotAdmin, Scope.auditRead, Scope.personalRead, Scope.openID,
                    Scope.profile, Scope.admin,
                ],
                grantTypes: ["authorization_code", "refresh_token"]
            )
        }
        if try await directory.store.client(id: simulatorClient) == nil {
            _ = try await directory.addClient(
                clientId: simulatorClient,
                name: "Machi demo city simulator",
                confidential: true,
                scopes: [Scope.read, Scope.write, Scope.iotAdmin],
                grantTypes: ["client_credentials"],
                roles: ["": ["operator"]]
            )
        }
        let token = try await identity.oauth.issueDirectly(clientId: client, username: admin.username, scope: nil)
        return """
              sign-in:       \(admin.username) / \(admin.password) (admin), \(resident.username) / \(resident.password) (resident)
                             at http://localhost:\(port)/oauth2/authorize (client \(client), PKCE; docs/identity.md)
              admin token:   TOKEN=\(token.accessToken)
                             curl localhost:\(port)/api/v1/admin/users -H "Authorization: Bearer $TOKEN"
                             (15 minutes; a new one: machi token --data \(data) --port \(port) --client \(client) --user \(admin.username))
            """
    }
}
