import Crypto
import Foundation

/// Random secrets (authorization codes, refresh tokens, client secrets) and their stored form.
///
/// These are 256-bit random values, so a plain SHA-256 is enough to store them (no KDF is needed against guessing,
/// unlike a password); only the hash is ever stored.
public enum SecretToken {
    /// `count` random bytes from the system's CSPRNG.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// A new secret: 32 random bytes, base64url without padding (43 characters).
    public static func generate() -> String { base64URL(randomBytes(32)) }

    /// The stored form of a secret: SHA-256, lowercase hex.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// base64url without padding (RFC 4648 §5).
    public static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares without an early exit, so the time does not tell how many leading bytes matched.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// Compares two strings in constant time (for hashes of equal length).
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }
}
