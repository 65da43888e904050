import Foundation
import MachiCore
import MachiIdentity
import MachiSQLite
import MachiStore
import Testing

/// A principal as the directory has it now: current roles, nothing once gone; cached briefly, and the directory's
/// own changes drop the cache at once.
@Suite struct CurrentPrincipalsTests {
    let fixture: IdentityFixture
    let principals: CurrentPrincipals
    let directory: IdentityDirectory

    init() throws {
        fixture = try IdentityFixture()
        principals = CurrentPrincipals(store: fixture.store, lifetime: 5, now: fixture.time.function)
        directory = IdentityDirectory(
            store: fixture.store,
            pseudonymizer: fixture.oauth.pseudonymizer,
            hasher: PasswordHasher(logN: 10),
            principals: principals
        )
    }

    func person(_ user: UserRecord, roles: [String: Set<Role>]) -> Principal {
        Principal(subject: user.subject, kind: .person, clientId: "app", roles: roles, scopes: [Scope.read])
    }

    @Test func aPersonHasTheRolesSheHasNowAndNoneOnceDisabled() async throws {
        let user = try await directory.addUser(username: "nurse", password: nil, roles: ["": ["operator"]])
        let snapshot = person(user, roles: ["": [.operator]])
        #expect(try await principals.current(snapshot)?.roles == ["": [.operator]])
        _ = try await directory.setRoles("nurse", tenant: "", roles: ["developer"])
        let now = try #require(try await principals.current(snapshot))
        #expect(now.roles == ["": [.developer]])
        #expect(now.scopes == [Scope.read] && now.clientId == "app")
        try await directory.setDisabled("nurse", true)
        #expect(try await principals.current(snapshot) == nil)
        let unknown = Principal(subject: CommonID.person(.init()), kind: .person)
        #expect(try await principals.current(unknown) == nil)
    }

    @Test func anApplicationIsGoneWithItsClientAndKeepsOnlyTheScopesItStillHas() async throws {
        _ = try await directory.addClient(
            clientId: "dash",
            confidential: true,
            scopes: [Scope.read],
            grantTypes: ["client_credentials"],
            roles: ["": ["developer"]]
        )
        let snapshot = Principal(
            subject: CommonID.application("dash"),
            kind: .application,
            clientId: "dash",
            roles: ["": [.admin]],
            scopes: [Scope.read, Scope.write]
        )
        let now = try #require(try await principals.current(snapshot))
        #expect(now.roles == ["": [.developer]] && now.scopes == [Scope.read])
        try await directory.removeClient("dash")
        #expect(try await principals.current(snapshot) == nil)
    }

    @Test func othersAreTakenAsTheyAre() async throws {
        for principal in [
            Principal(subject: "urn:machi:external:abc", kind: .person, roles: ["": [.resident]]),
            Principal.system("iot-agent"), Principal.anonymous,
        ] {
            #expect(try await principals.current(principal) == principal)
        }
    }

    @Test func changesMadeElsewhereArriveWithinTheLifetime() async throws {
        let user = try await directory.addUser(username: "clerk", password: nil, roles: ["": ["operator"]])
        let snapshot = person(user, roles: ["": [.operator]])
        #expect(try await principals.current(snapshot) != nil)
        // Another process (machi user disable) changes the store directly: the cache does not know yet.
        var disabled = user
        disabled.disabled = true
        #expect(try await fixture.store.updateUser(disabled))
        #expect(try await principals.current(snapshot) != nil)
        fixture.time.advance(6)
        #expect(try await principals.current(snapshot) == nil)
    }
}
