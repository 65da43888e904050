import ArgumentParser
import Testing

@testable import machi

/// The identity commands parse as documented (argument-parser `MathExampleTests` style).
@Suite struct IdentityCommandTests {
    @Test func userAddTakesRolesPerTenant() throws {
        let command = try #require(
            try Machi.parseAsRoot([
                "user", "add", "alice", "--role", "admin", "--role", "okaya:operator", "--data", "/tmp/x",
            ]) as? UserCommand.Add
        )
        #expect(command.username == "alice")
        #expect(command.options.data == "/tmp/x")
        #expect(parseRoles(command.role) == ["": ["admin"], "okaya": ["operator"]])
    }

    @Test func clientAddDefaultsAndPublicClients() throws {
        let command = try #require(
            try Machi.parseAsRoot([
                "client", "add", "bus-app", "--public", "--redirect-uri", "https://bus.example/cb", "--scope", "openid",
            ]) as? ClientCommand.Add
        )
        #expect(command.public)
        #expect(command.redirectURI == ["https://bus.example/cb"])
        #expect(command.grant.isEmpty)
    }

    @Test func tokenNeedsAClient() {
        #expect(throws: (any Error).self) { try Machi.parseAsRoot(["token"]) }
        #expect(
            (try? Machi.parseAsRoot(["token", "--client", "dash", "--user", "alice", "--port", "18000"]))
                is TokenCommand
        )
    }

    @Test func serveRefusesAnUnknownAuthMode() {
        #expect(throws: (any Error).self) { try Machi.parseAsRoot(["serve", "--auth", "opne"]) }
        #expect((try? Machi.parseAsRoot(["serve", "--auth", "open"])) is Serve)
    }

    @Test func helpListsTheIdentityCommands() {
        let help = Machi.helpMessage()
        for name in ["user", "client", "token"] { #expect(help.contains("  \(name) ")) }
    }
}
