import ArgumentParser
import Foundation
import MachiApp
import MachiSQLite
import MachiStore
import Testing

@testable import machi

/// `machi user` and `machi client` record their changes in the identity database's audit chain as
/// `urn:machi:system:cli`; a refused command records nothing, and `machi audit verify` still passes.
@Suite struct AdminCommandAuditTests {
    func run(_ arguments: [String], data: String) async throws {
        var command = try #require(try Machi.parseAsRoot(arguments + ["--data", data]) as? any AsyncParsableCommand)
        try await command.run()
    }

    @Test func commandLineChangesAreRecordedAsTheCLI() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("machi-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: data) }
        for arguments in [
            ["user", "add", "carol", "--no-password", "--role", "okaya:operator"],
            ["user", "role", "carol", "--tenant", "okaya", "developer"],
            ["user", "disable", "carol"],
            ["user", "enable", "carol"],
            ["client", "add", "dash", "--tenant", "okaya"],
            ["client", "remove", "dash"],
        ] {
            try await run(arguments, data: data.path)
        }
        await #expect(throws: (any Error).self) { try await run(["client", "remove", "nothing"], data: data.path) }
        await #expect(throws: (any Error).self) { try await run(["user", "disable", "nobody"], data: data.path) }

        let store = try SQLiteIdentityStore(storage: .directory(data))
        defer { try? store.close() }
        let records = try await store.auditRecords(matching: AuditQuery(), tenant: "").reversed()
        #expect(
            records.map(\.action) == [
                "admin.user.create", "admin.user.roles", "admin.user.disable", "admin.user.enable",
                "admin.client.create", "admin.client.delete",
            ]
        )
        #expect(records.allSatisfy { $0.actor.subject == "urn:machi:system:cli" && $0.actor.kind == "system" })
        #expect(records.map(\.tenant) == ["", "okaya", "", "", "okaya", "okaya"])
        #expect(records.last?.target == "dash")

        let reports = try AuditCheck.run(directory: data.path, tenant: nil)
        #expect(reports.contains { $0.file == "identity.sqlite" && $0.verification?.recordsChecked == records.count })
        #expect(!reports.contains { $0.isBroken })
    }
}
