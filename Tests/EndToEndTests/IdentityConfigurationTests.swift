import Configuration
import Foundation
import Logging
import MachiApp
import MachiHTTP
import MachiIdentity
import MachiStore
import Testing

/// `auth.mode` and the deployment secret, read the way `machi serve` reads them.
@Suite struct IdentityConfigurationTests {
    func configuration(_ values: [AbsoluteConfigKey: ConfigValue]) -> AppConfiguration {
        AppConfiguration(reader: ConfigReader(providers: [InMemoryProvider(name: "test", values: values)]))
    }

    @Test func authIsRequiredUnlessSetOpen() {
        #expect(configuration([:]).authMode == .required)
        #expect(configuration(["auth.mode": .init(.string("open"), isSecret: false)]).authMode == .open)
        #expect(configuration(["auth.mode": .init(.string("OPEN"), isSecret: false)]).authMode == .open)
        #expect(configuration([:]).authModeError == nil)
    }

    @Test func aMistypedModeStopsTheServerInsteadOfFallingBack() async throws {
        let bad = configuration([
            "auth.mode": .init(.string("opne"), isSecret: false),
            "store.sqlite.path": .init(.string(":memory:"), isSecret: false),
        ])
        #expect(bad.authModeError != nil)
        await #expect(throws: ConfigurationError.self) {
            _ = try await MachiServer.buildApplication(configuration: bad, logger: Logger(label: "test"))
        }
    }

    @Test func identityKeysAreRead() {
        let configuration = configuration([
            "http.public.url": .init(.string("https://machi.shiojiri.example"), isSecret: false),
            "identity.token.lifetime": .init(.int(300), isSecret: false),
            "identity.external.issuers": .init(
                .string(
                    "https://idp.example https://idp.example/jwks machi-api, https://other.example https://other.example/keys"
                ),
                isSecret: false
            ),
            "machi.identity.secret": .init(.string("a secret from the environment, long enough"), isSecret: true),
        ])
        #expect(configuration.identity?.issuer == "https://machi.shiojiri.example")
        #expect(configuration.identity?.accessTokenLifetime == 300)
        #expect(
            configuration.identity?.externalIssuers == [
                ExternalIssuer(
                    issuer: "https://idp.example",
                    jwksURL: "https://idp.example/jwks",
                    audience: "machi-api"
                ),
                ExternalIssuer(issuer: "https://other.example", jwksURL: "https://other.example/keys"),
            ]
        )
        #expect(configuration.identitySecret == "a secret from the environment, long enough")
    }

    @Test func theGeneratedSecretIsPrivateAndKeepsPseudonymsAcrossRestarts() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "machi-secret-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let configuration = AppConfiguration(
            dataDirectory: directory.path,
            identity: IdentityConfiguration(issuer: "http://localhost:1026", passwordCost: 10)
        )
        let first = try await IdentityServices.open(configuration: configuration)
        _ = try await first.directory.addUser(username: "alice", password: nil)
        try await first.directory.linkExternalID("alice", scheme: "mynumber", value: "123456789018")
        try first.close()
        let file = directory.appendingPathComponent("identity-secret").path
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let second = try await IdentityServices.open(configuration: configuration)
        defer { try? second.close() }
        #expect(try await second.directory.user(scheme: "mynumber", externalID: "123456789018")?.username == "alice")
    }

    @Test func aShortConfiguredSecretIsRefused() async throws {
        let configuration = AppConfiguration(dataDirectory: nil, identitySecret: "too short")
        await #expect(throws: (any Error).self) { _ = try await IdentityServices.open(configuration: configuration) }
    }
}
