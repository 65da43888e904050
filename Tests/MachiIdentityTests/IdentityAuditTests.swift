import MachiCore
import MachiIdentity
import MachiSQLite
import MachiStore
import Testing

/// Sign-ins, failed sign-ins and token issues are recorded in the identity audit chain.
@Suite struct IdentityAuditTests {
    @Test func signInsAndTokenIssuesAreRecorded() async throws {
        let events = try SQLiteAuditLog(file: nil)
        let fixture = try IdentityFixture(events: events)
        let (user, _) = try await fixture.seed()
        _ = try await fixture.directory.addClient(
            clientId: "service",
            confidential: true,
            scopes: [Scope.read],
            grantTypes: ["client_credentials"]
        )
        await #expect(throws: IdentityError.self) {
            try await fixture.oauth.signIn(username: "alice", password: "a wrong guess", address: "192.0.2.7")
        }
        _ = try await fixture.oauth.signIn(username: "alice", password: "correct horse battery", address: "192.0.2.7")
        _ = try await fixture.oauth.issueDirectly(clientId: "service", username: nil, scope: nil)

        let records = try await events.auditRecords(matching: AuditQuery(), tenant: "")
        #expect(records.map(\.action) == ["token.issue", "signin", "signin.failed"])
        #expect(records[0].actor.subject == "urn:machi:application:service")
        #expect(records[1].actor.subject == user.subject && records[1].target == "alice")
        #expect(records[2].actor.kind == "anonymous" && records[2].detail?.contains("192.0.2.7") == true)
        #expect(
            !records.contains { $0.detail?.contains("correct horse") == true || $0.detail?.contains("wrong") == true }
        )
        #expect(try await events.verifyAudit(tenant: "").isIntact)
    }
}
