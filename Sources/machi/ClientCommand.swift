import ArgumentParser
import Foundation
import MachiApp
import MachiCore
import MachiIdentity
import MachiStore

/// `machi client add|list|remove`
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Manage OAuth 2.0 clients (applications).",
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a client; prints its secret once (it is stored only hashed)."
        )
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The client id (letters, digits, - _ .).") var clientId: String
        @Option(name: .long, help: "A display name.") var name: String?
        @Flag(name: .long, help: "A public client (browser or mobile app): no secret, PKCE only.") var `public` = false
        @Option(name: .long, help: "An allowed redirect URI; repeatable.") var redirectURI: [String] = []
        @Option(name: .long, help: "An allowed scope; repeatable (default: ngsi-ld:read).") var scope: [String] = []
        @Option(
            name: .long,
            help: "A grant type: client_credentials, authorization_code, refresh_token; repeatable."
        ) var grant: [String] = []
        @Option(name: .long, help: "The tenant the client belongs to (default: the default tenant).") var tenant:
            String = ""
        @Option(name: .long, help: "A role of the client itself in its tenant; repeatable.") var role: [String] = []

        func run() async throws {
            let identity = try await options.open()
            let grants =
                grant.isEmpty
                ? (self.public ? ["authorization_code", "refresh_token"] : ["client_credentials"]) : grant
            let (client, secret) = try await identity.directory.administered(by: .commandLine).addClient(
                clientId: clientId,
                name: name,
                confidential: !self.public,
                redirectURIs: redirectURI,
                scopes: Set(scope.isEmpty ? [Scope.read] : scope),
                grantTypes: Set(grants),
                tenant: tenant,
                roles: role.isEmpty ? [:] : [tenant: Set(role)]
            )
            print("client_id: \(client.clientId)")
            if let secret { print("client_secret: \(secret)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the clients.")
        @OptionGroup var options: IdentityOptions

        func run() async throws {
            for client in try await options.open().directory.store.clients() {
                print(
                    [
                        client.clientId, client.isPublic ? "public" : "confidential",
                        client.tenant.isEmpty ? "(default)" : client.tenant,
                        client.grantTypes.sorted().joined(separator: ","),
                        client.scopes.sorted().joined(separator: " "),
                    ].joined(separator: "\t")
                )
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a client and revoke its grants.")
        @OptionGroup var options: IdentityOptions
        @Argument(help: "The client id.") var clientId: String

        func run() async throws { try await options.directory().removeClient(clientId) }
    }
}

/// `machi token`
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print an access token for a client (or for a user through a client), for scripts.",
        discussion: "Reads the data directory directly: whoever can read it can issue tokens anyway."
    )
    @OptionGroup var options: IdentityOptions
    @Option(name: .long, help: "The client id.") var client: String
    @Option(name: .long, help: "Issue the token for this user (username) instead of the client itself.") var user:
        String?
    @Option(name: .long, help: "A scope; repeatable (default: every scope of the client).") var scope: [String] = []

    func run() async throws {
        let identity = try await options.open()
        let response = try await identity.oauth.issueDirectly(
            clientId: client,
            username: user,
            scope: scope.isEmpty ? nil : scope.joined(separator: " ")
        )
        print(response.accessToken)
    }
}
