import Crypto
import Foundation

/// PKCE (RFC 7636), hand-written because it is two lines on top of SHA-256: only the `S256` method; `plain` is
/// refused because it protects nothing against an attacker who can read the authorization request.
public enum PKCE {
    /// Checks a `code_challenge` and its method from an authorization request.
    /// - Throws: `IdentityError.invalidRequest` for a missing or malformed challenge or a method other than `S256`.
    public static func validateChallenge(_ challenge: String?, method: String?) throws -> String {
        guard let challenge, !challenge.isEmpty else {
            throw IdentityError(.invalidRequest, "code_challenge is required (PKCE)")
        }
        guard (method ?? "plain") == "S256" else {
            throw IdentityError(.invalidRequest, "code_challenge_method must be S256")
        }
        guard challenge.count == 43, challenge.allSatisfy(isUnreserved) else {
            throw IdentityError(.invalidRequest, "code_challenge must be a base64url SHA-256 (43 characters)")
        }
        return challenge
    }

    /// Whether `verifier` (43–128 unreserved characters) hashes to `challenge`.
    public static func verify(verifier: String, challenge: String) -> Bool {
        guard (43...128).contains(verifier.count), verifier.allSatisfy(isUnreserved) else { return false }
        return SecretToken.constantTimeEqual(self.challenge(for: verifier), challenge)
    }

    /// The S256 challenge of a verifier: base64url(SHA-256(verifier)).
    public static func challenge(for verifier: String) -> String {
        SecretToken.base64URL(SHA256.hash(data: Data(verifier.utf8)))
    }

    static func isUnreserved(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "-._~".contains(character))
    }
}
