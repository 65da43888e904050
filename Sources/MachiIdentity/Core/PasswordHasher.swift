import Crypto
import CryptoExtras
import Foundation

/// Hashes passwords with scrypt (memory-hard; `CryptoExtras.KDF.Scrypt`) and checks them in constant time.
///
/// The encoded form is `scrypt$<log2 N>$<r>$<p>$<salt base64>$<hash base64>`, so parameters can be raised later
/// and old hashes still verify. The default N = 2^15, r = 8, p = 1 needs 32 MiB per hash (see docs/identity.md
/// for the measured time).
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's cost parameter N.
    public var logN: Int
    public var blockSize: Int
    public var parallelism: Int

    public init(logN: Int = 15, blockSize: Int = 8, parallelism: Int = 1) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// The shortest password accepted.
    public static let minimumLength = 8

    /// Hashes `password` with a fresh random salt.
    /// - Throws: `IdentityError.invalidRequest` if the password is shorter than `minimumLength`.
    public func hash(_ password: String) throws -> String {
        guard password.count >= Self.minimumLength else {
            throw IdentityError(.invalidRequest, "a password needs at least \(Self.minimumLength) characters")
        }
        let salt = SecretToken.randomBytes(16)
        let derived = try derive(password, salt: salt, logN: logN, r: blockSize, p: parallelism)
        return
            "scrypt$\(logN)$\(blockSize)$\(parallelism)$\(Data(salt).base64EncodedString())$\(derived.base64EncodedString())"
    }

    /// Whether `password` matches `encoded`; `false` for a malformed encoding.
    public func verify(_ password: String, against encoded: String) -> Bool {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let logN = Int(parts[1]), let r = Int(parts[2]),
            let p = Int(parts[3]), (10...20).contains(logN), (1...32).contains(r), (1...16).contains(p),
            let salt = Data(base64Encoded: parts[4]), let expected = Data(base64Encoded: parts[5])
        else { return false }
        guard let derived = try? derive(password, salt: [UInt8](salt), logN: logN, r: r, p: p) else { return false }
        return SecretToken.constantTimeEqual([UInt8](derived), [UInt8](expected))
    }

    private func derive(_ password: String, salt: [UInt8], logN: Int, r: Int, p: Int) throws -> Data {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8),
            salt: salt,
            outputByteCount: 32,
            rounds: 1 << logN,
            blockSize: r,
            parallelism: p,
            maxMemory: 2 * 128 * r * (1 << logN) * p + (1 << 20)
        )
        return key.withUnsafeBytes { Data($0) }
    }
}
