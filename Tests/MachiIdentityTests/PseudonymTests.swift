import Crypto
import Foundation
import MachiIdentity
import MachiSQLite
import MachiStore
import Testing

@Suite struct PseudonymTests {
    let myNumber = "123456789018"

    @Test func theSameNumberInAnyNotationGivesTheSamePseudonym() throws {
        let pseudonymizer = Pseudonymizer(secret: SymmetricKey(data: IdentityFixture.secret))
        let plain = try pseudonymizer.pseudonym(scheme: "mynumber", value: myNumber)
        #expect(try pseudonymizer.pseudonym(scheme: "MyNumber", value: "1234-5678-9018") == plain)
        #expect(try pseudonymizer.pseudonym(scheme: "mynumber", value: "１２３４ ５６７８ ９０１８") == plain)
        #expect(try pseudonymizer.pseudonym(scheme: "patient", value: myNumber) != plain)
        #expect(plain.count == 64)
        #expect(!plain.contains(myNumber))
    }

    @Test func anotherDeploymentSecretGivesAnotherPseudonym() throws {
        let one = Pseudonymizer(secret: SymmetricKey(data: IdentityFixture.secret))
        let other = Pseudonymizer(secret: SymmetricKey(data: Array("another deployment's secret, 32 bytes+".utf8)))
        #expect(
            try one.pseudonym(scheme: "mynumber", value: myNumber)
                != other.pseudonym(scheme: "mynumber", value: myNumber)
        )
    }

    @Test func emptyIdentifiersAreRefused() {
        let pseudonymizer = Pseudonymizer(secret: SymmetricKey(data: IdentityFixture.secret))
        #expect(throws: IdentityError.self) { try pseudonymizer.pseudonym(scheme: "mynumber", value: " - ") }
        #expect(throws: IdentityError.self) { try pseudonymizer.pseudonym(scheme: "", value: myNumber) }
    }

    @Test func aLinkedMyNumberFindsItsUserButNeverReachesTheDatabaseFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "machi-identity-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteIdentityStore(storage: .directory(directory))
        let fixture = try IdentityFixture(store: store)
        let (user, _) = try await fixture.seed()
        try await fixture.directory.linkExternalID("alice", scheme: "mynumber", value: "1234 5678 9018")
        #expect(try await fixture.directory.user(scheme: "mynumber", externalID: myNumber)?.subject == user.subject)
        #expect(try await fixture.directory.user(scheme: "mynumber", externalID: "123456789019") == nil)
        // A second person cannot claim the same number.
        _ = try await fixture.directory.addUser(username: "bob", password: "another password")
        #expect(
            await identityErrorCode {
                try await fixture.directory.linkExternalID("bob", scheme: "mynumber", value: myNumber)
            } == .conflict
        )
        try store.close()

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains("identity.sqlite"))
        for name in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(name))
            for needle in [myNumber, "1234 5678 9018", "1234-5678-9018"] {
                #expect(bytes.range(of: Data(needle.utf8)) == nil, "\(needle) found in \(name)")
            }
            for password in ["correct horse battery", "another password"] {
                #expect(bytes.range(of: Data(password.utf8)) == nil, "a password found in \(name)")
            }
        }
        let attributes = try FileManager.default.attributesOfItem(
            atPath: directory.appendingPathComponent("identity.sqlite").path
        )
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}
