import MachiIdentity
import Testing

@Suite struct PasswordHasherTests {
    @Test func verifiesOnlyTheRightPasswordAndSaltsEachHash() throws {
        let hasher = PasswordHasher(logN: 10)
        let first = try hasher.hash("correct horse battery")
        let second = try hasher.hash("correct horse battery")
        #expect(first != second)
        #expect(first.hasPrefix("scrypt$10$8$1$"))
        #expect(hasher.verify("correct horse battery", against: first))
        #expect(hasher.verify("correct horse battery", against: second))
        #expect(!hasher.verify("correct horse batterY", against: first))
        // Parameters travel with the hash: a stronger hasher still verifies it.
        #expect(PasswordHasher().verify("correct horse battery", against: first))
    }

    @Test(arguments: [
        "", "scrypt$10$8$1$AAAA", "bcrypt$10$8$1$AAAA$AAAA", "scrypt$40$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA",
    ])
    func malformedHashesNeverVerify(_ encoded: String) {
        #expect(!PasswordHasher(logN: 10).verify("anything at all", against: encoded))
    }

    @Test func shortPasswordsAreRefused() {
        #expect(throws: IdentityError.self) { try PasswordHasher(logN: 10).hash("short") }
    }
}
