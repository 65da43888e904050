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
    static let redirectURI = "http://localhost:8000/callback"

    /// Creates what is missing and returns the banner lines (credentials and an admin token).
    static func seed(_ identity: IdentityServices, port: Int, data: String) async throws -> String {
        let directory = identity.directory
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
                scopes: [Scope.read, Scope.write, Scope.openID, Scope.profile, Scope.admin],
                grantTypes: ["authorization_code", "refresh_token"]
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
