import Foundation
import MachiIdentity

/// The deployment secret (keyed pseudonyms, session cookies, form tokens): configured (`identity.secret`, env
/// `MACHI_IDENTITY_SECRET`), else read from `identity-secret` in the data directory, else generated there once
/// (32 random bytes, hex, file mode 0600). Without a data directory a fresh secret lives as long as the process.
enum IdentitySecret {
    static let fileName = "identity-secret"

    struct InvalidSecret: Error, CustomStringConvertible {
        var description: String
    }

    static func load(configured: String?, dataDirectory: String?) throws -> [UInt8] {
        if let configured, !configured.isEmpty {
            guard configured.utf8.count >= 32 else {
                throw InvalidSecret(description: "identity.secret must be at least 32 characters")
            }
            return Array(configured.utf8)
        }
        guard let dataDirectory else { return SecretToken.randomBytes(32) }
        let directory = URL(fileURLWithPath: dataDirectory, isDirectory: true)
        let file = directory.appendingPathComponent(fileName)
        if let text = try? String(contentsOf: file, encoding: .utf8) {
            let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard secret.utf8.count >= 32 else {
                throw InvalidSecret(description: "\(file.path) holds no usable secret (32 characters or more)")
            }
            return Array(secret.utf8)
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secret = SecretToken.randomBytes(32).map { String(format: "%02x", $0) }.joined()
        guard
            FileManager.default.createFile(
                atPath: file.path,
                contents: Data((secret + "\n").utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else { throw InvalidSecret(description: "cannot write \(file.path)") }
        return Array(secret.utf8)
    }
}
