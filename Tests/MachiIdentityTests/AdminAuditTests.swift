import Crypto
import MachiCore
import MachiIdentity
import MachiSQLite
import MachiStore
import Testing

/// Changes to users and clients are recorded in the identity database's audit chain, in the transaction of the
/// change, as made by the directory's administrator; refused changes record nothing; secrets never appear.
@Suite struct AdminAuditTests {
    static let admin = IdentityDirectory.Administrator(
        AuditContext(
            principal: Principal(subject: "urn:machi:person:admin", kind: .person, clientId: "portal"),
            requestId: "req-1"
        ),
        tenant: "okaya"
    )

    func fixture() throws -> (SQLiteIdentityStore, IdentityDirectory) {
        let store = try SQLiteIdentityStore(storage: .inMemory)
        let directory = IdentityDirectory(
            store: store,
            pseudonymizer: Pseudonymizer(secret: .init(data: IdentityFixture.secret)),
            hasher: PasswordHasher(logN: 10),
            audited: true
        )
        return (store, directory.administered(by: Self.admin))
    }

    @Test func everyChangeIsRecordedWithItsActorTargetAndTenant() async throws {
        let (store, directory) = try fixture()
        let user = try await directory.addUser(
            username: "carol",
            password: "carol's password",
            roles: ["okaya": ["operator"]]
        )
        _ = try await directory.setRoles("carol", tenant: "okaya", roles: ["developer"])
        try await directory.setPassword("carol", password: "a new long password")
        try await directory.setDisabled("carol", true)
        try await directory.setDisabled("carol", false)
        try await directory.linkExternalID("carol", scheme: "mynumber", value: "123456789018")
        let (_, secret) = try await directory.addClient(
            clientId: "dash",
            confidential: true,
            scopes: [Scope.read],
            grantTypes: ["client_credentials"],
            tenant: "okaya"
        )
        try await directory.removeClient("dash")

        let clientSecret = try #require(secret)
        let records = try await store.auditRecords(matching: AuditQuery(), tenant: "okaya").reversed()
        #expect(
            records.map(\.action) == [
                "admin.user.create", "admin.user.roles", "admin.user.password", "admin.user.disable",
                "admin.user.enable", "admin.user.link", "admin.client.create", "admin.client.delete",
            ]
        )
        #expect(records.allSatisfy { $0.actor.subject == "urn:machi:person:admin" && $0.actor.clientId == "portal" })
        #expect(records.allSatisfy { $0.requestId == "req-1" && $0.tenant == "okaya" })
        #expect(records.prefix(6).allSatisfy { $0.target == user.subject })
        #expect(records.suffix(2).allSatisfy { $0.target == "dash" })
        let roles = try #require(records.first { $0.action == "admin.user.roles" }?.detail)
        #expect(roles.contains(#""previous":["operator"]"#) && roles.contains(#""roles":["developer"]"#))
        for record in records {
            let text = "\(record.detail ?? "") \(record.target ?? "")"
            #expect(!text.contains("password\":\"") && !text.contains("long password") && !text.contains("carol's"))
            #expect(!text.contains("123456789018") && !text.contains(clientSecret))
        }
        #expect(try await store.verifyAudit(tenant: "").isIntact)
    }

    @Test func refusedChangesRecordNothing() async throws {
        let (store, directory) = try fixture()
        _ = try await directory.addUser(username: "carol", password: nil)
        let before = try await store.auditRecords(matching: AuditQuery(), tenant: "").count
        await #expect(throws: IdentityError.self) { _ = try await directory.addUser(username: "carol", password: nil) }
        await #expect(throws: IdentityError.self) {
            _ = try await directory.addUser(username: "no spaces", password: nil)
        }
        await #expect(throws: IdentityError.self) { try await directory.setDisabled("nobody", true) }
        await #expect(throws: IdentityError.self) { try await directory.removeClient("nothing") }
        await #expect(throws: IdentityError.self) {
            _ = try await directory.addClient(
                clientId: "x",
                confidential: false,
                scopes: ["no-such-scope"],
                grantTypes: ["authorization_code"]
            )
        }
        try await directory.linkExternalID("carol", scheme: "mynumber", value: "123456789018")
        await #expect(throws: IdentityError.self) {
            try await directory.linkExternalID("carol", scheme: "mynumber", value: "1234 5678 9018")
        }
        let after = try await store.auditRecords(matching: AuditQuery(), tenant: "")
        #expect(after.count == before + 1)
        #expect(after.first?.action == "admin.user.link")
    }

    @Test func anUnauditedDirectoryRecordsNothing() async throws {
        let store = try SQLiteIdentityStore(storage: .inMemory)
        let directory = IdentityDirectory(
            store: store,
            pseudonymizer: Pseudonymizer(secret: .init(data: IdentityFixture.secret)),
            hasher: PasswordHasher(logN: 10)
        )
        _ = try await directory.administered(by: Self.admin).addUser(username: "carol", password: nil)
        #expect(try await store.auditRecords(matching: AuditQuery(), tenant: "").isEmpty)
    }
}
